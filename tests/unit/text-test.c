/* SPDX-License-Identifier: MIT */
/* Tests for lib/text.c: characters, numbers, trimming, lines and /proc/iomem entries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "text.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define UNTOUCHED 0x5a5a5a5a5a5a5a5aULL

struct num_case {
	const char *text;
	size_t len;          /* the end pointer: text + len */
	unsigned base;       /* 0: baton_parse_hex() */
	int ret;
	uint64_t value;      /* when ret is 0 */
	size_t used;         /* characters consumed when ret is 0 */
};

static void check_numbers(const struct num_case *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *p = v[i].text, *end = v[i].text + v[i].len;
		uint64_t out = UNTOUCHED;
		int ret = v[i].base ? baton_parse_u64(&p, end, v[i].base, &out) :
				      baton_parse_hex(&p, end, &out);

		if (ret != v[i].ret)
			fail_msg("\"%.*s\" base %u: returned %d, want %d", (int)v[i].len, v[i].text,
				 v[i].base, ret, v[i].ret);
		if (ret) {
			/* A failure touches neither the cursor nor the result. */
			assert_ptr_equal(p, v[i].text);
			assert_int_equal(out, UNTOUCHED);
			continue;
		}
		if (out != v[i].value || (size_t)(p - v[i].text) != v[i].used)
			fail_msg("\"%.*s\" base %u: got 0x%llx after %zu characters, want 0x%llx"
				 " after %zu", (int)v[i].len, v[i].text, v[i].base,
				 (unsigned long long)out, (size_t)(p - v[i].text),
				 (unsigned long long)v[i].value, v[i].used);
	}
}

#define N(s) s, sizeof(s) - 1   /* the whole literal, without its NUL */

static void is_space_is_the_c_locale_set(void **state)
{
	(void)state;
	for (const char *c = " \t\n\r\v\f"; *c; c++)
		assert_true(baton_is_space(*c));
	for (const char *c = "a0:-_\x7f\xa0"; *c; c++)
		assert_false(baton_is_space(*c));
	assert_false(baton_is_space('\0'));
}

static void hex_digit_both_cases(void **state)
{
	static const struct {
		char c;
		int d;
	} v[] = {
		{ '0', 0 }, { '9', 9 }, { 'a', 10 }, { 'f', 15 }, { 'A', 10 }, { 'F', 15 },
		{ '/', -1 }, { ':', -1 }, { '@', -1 }, { 'G', -1 }, { '`', -1 }, { 'g', -1 },
		{ 'x', -1 }, { ' ', -1 }, { '\0', -1 },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(v); i++)
		assert_int_equal(baton_hex_digit(v[i].c), v[i].d);
}

static void parse_u64_digits(void **state)
{
	static const struct num_case v[] = {
		/* empty: no digit at all */
		{ N(""), 10, -1, 0, 0 },
		{ N(""), 16, -1, 0, 0 },
		{ "123", 0, 10, -1, 0, 0 },            /* the end pointer is the start */
		{ N("123"), 10, 0, 123, 3 },
		{ N("007"), 10, 0, 7, 3 },
		{ N("12ab"), 10, 0, 12, 2 },           /* hex letters end a decimal number */
		{ N("1f"), 16, 0, 0x1f, 2 },
		{ N("DEADbeef"), 16, 0, 0xdeadbeef, 8 },   /* uppercase and mixed case */
		{ N("ABCDEF"), 16, 0, 0xabcdef, 6 },
		{ N("0g"), 16, 0, 0, 1 },
		{ N("101201"), 2, 0, 5, 3 },
		/* whitespace is not skipped before, and ends the number after */
		{ N(" 12"), 10, -1, 0, 0 },
		{ N("\t12"), 10, -1, 0, 0 },
		{ N("12 "), 10, 0, 12, 2 },
		{ N("12\n"), 10, 0, 12, 2 },
		/* no sign, and no prefix: "0x" is the digit 0 and then an 'x' */
		{ N("-1"), 10, -1, 0, 0 },
		{ N("+1"), 10, -1, 0, 0 },
		{ N("0x10"), 16, 0, 0, 1 },
		{ N("x10"), 16, -1, 0, 0 },
		/* the end pointer stops the digits, wherever the NUL is */
		{ "12345", 3, 10, 0, 123, 3 },
		{ "ffff-", 2, 16, 0, 0xff, 2 },
		/* 64 bits and no more */
		{ N("18446744073709551615"), 10, 0, UINT64_MAX, 20 },
		{ N("18446744073709551616"), 10, -1, 0, 0 },
		{ N("99999999999999999999"), 10, -1, 0, 0 },
		{ N("000000000000000000000000018446744073709551615"), 10, 0, UINT64_MAX, 45 },
		{ N("ffffffffffffffff"), 16, 0, UINT64_MAX, 16 },
		{ N("FFFFFFFFFFFFFFFF"), 16, 0, UINT64_MAX, 16 },
		{ N("10000000000000000"), 16, -1, 0, 0 },
		{ N("0000000000000000ffffffffffffffff"), 16, 0, UINT64_MAX, 32 },
		{ "10000000000000000", 16, 16, 0, 0x1000000000000000ULL, 16 },  /* end first */
	};

	(void)state;
	check_numbers(v, NELEM(v));
}

static void parse_hex_optional_0x(void **state)
{
	static const struct num_case v[] = {
		{ N(""), 0, -1, 0, 0 },
		{ N("1f"), 0, 0, 0x1f, 2 },
		{ N("0x1f"), 0, 0, 0x1f, 4 },
		{ N("0X1F"), 0, 0, 0x1f, 4 },
		{ N("0x0000000100a9e000 1024"), 0, 0, 0x100a9e000, 18 },
		{ N("0"), 0, 0, 0, 1 },
		{ N("00x1"), 0, 0, 0, 2 },             /* only a leading 0x is a prefix */
		{ N("0x0x1"), 0, 0, 0, 3 },
		/* a prefix needs digits after it: "0x" alone is not the number 0 */
		{ N("0x"), 0, -1, 0, 0 },
		{ N("0xg"), 0, -1, 0, 0 },
		{ N("0x 1"), 0, -1, 0, 0 },
		{ N(" 0x1"), 0, -1, 0, 0 },
		{ N("x1"), 0, -1, 0, 0 },
		/* the end pointer: "0x5" cut after the 0 is the number 0, after the x nothing */
		{ "0x5", 1, 0, 0, 0, 1 },
		{ "0x5", 2, 0, -1, 0, 0 },
		{ N("0xffffffffffffffff"), 0, 0, UINT64_MAX, 18 },
		{ N("0x10000000000000000"), 0, -1, 0, 0 },
	};

	(void)state;
	check_numbers(v, NELEM(v));
}

static void check_trim(const char *text, const char *want)
{
	const char *s = text, *e = text + strlen(text);

	baton_trim(&s, &e);
	assert_int_equal(e - s, strlen(want));
	assert_memory_equal(s, want, strlen(want));
	assert_true(s >= text && e <= text + strlen(text));
}

static void trim_both_ends(void **state)
{
	(void)state;
	check_trim("", "");
	check_trim(" \t\r\n\v\f", "");
	check_trim("0x1000", "0x1000");
	check_trim("  0-3,5 \n", "0-3,5");
	check_trim("\tSystem RAM\r\n", "System RAM");
	check_trim(" a  b ", "a  b");         /* inner whitespace stays */
}

static void next_line_splits_and_trims(void **state)
{
	static const char text[] = "first  \r\n\n   \nindented\t\n  last";
	static const char *want[] = { "first", "", "", "indented", "  last" };
	const char *p = text, *text_end = text + sizeof(text) - 1;
	size_t n = 0;

	(void)state;
	while (p < text_end) {
		const char *end, *l = baton_next_line(&p, text_end, &end);

		assert_true(n < NELEM(want));
		assert_int_equal(end - l, strlen(want[n]));
		assert_memory_equal(l, want[n], strlen(want[n]));
		n++;
	}
	assert_int_equal(n, NELEM(want));
	assert_ptr_equal(p, text_end);   /* no final newline: the last line ends the text */

	/* A final newline ends the last line; nothing follows it. */
	p = "one\n";
	text_end = p + 4;
	{
		const char *end, *l = baton_next_line(&p, text_end, &end);

		assert_int_equal(end - l, 3);
		assert_ptr_equal(p, text_end);
	}
}

static void iomem_line_parses_entries(void **state)
{
	static const struct {
		const char *line;
		uint64_t start, last;
		size_t indent;
		const char *name;
	} v[] = {
		{ "00100000-bfffffff : System RAM", 0x100000, 0xbfffffff, 0, "System RAM" },
		{ "  01000000-01e0278f : Kernel code", 0x1000000, 0x1e0278f, 2, "Kernel code" },
		{ "    02000000-020fffff : ACPI Tables", 0x2000000, 0x20fffff, 4, "ACPI Tables" },
		{ "\t40000000-4fffffff : Reserved", 0x40000000, 0x4fffffff, 1, "Reserved" },
		{ "00400000-004fffff:Persistent Memory", 0x400000, 0x4fffff, 0,
		  "Persistent Memory" },
		{ "00400000-004fffff   :   Soft Reserved", 0x400000, 0x4fffff, 0, "Soft Reserved" },
		{ "380000000000-3800ffffffff : PCI Bus 0000:00", 0x380000000000, 0x3800ffffffff, 0,
		  "PCI Bus 0000:00" },
		{ "FFFFFFF000000000-FFFFFFFFFFFFFFFF : Reserved", 0xfffffff000000000,
		  UINT64_MAX, 0, "Reserved" },
		{ "0000000000001000-000000000009ffff : System RAM", 0x1000, 0x9ffff, 0,
		  "System RAM" },
		{ "00000000-00000000 : Reserved", 0, 0, 0, "Reserved" },
		/* an end below the start is the caller's to reject */
		{ "00100000-000fffff : System RAM", 0x100000, 0xfffff, 0, "System RAM" },
		{ "00001000-0009ffff :", 0x1000, 0x9ffff, 0, "" },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(v); i++) {
		struct baton_iomem_entry e;
		const char *end = v[i].line + strlen(v[i].line);

		if (baton_iomem_line(v[i].line, end, &e))
			fail_msg("\"%s\": rejected", v[i].line);
		assert_int_equal(e.start, v[i].start);
		assert_int_equal(e.last, v[i].last);
		assert_int_equal(e.indent, v[i].indent);
		assert_int_equal(e.name_len, strlen(v[i].name));
		assert_memory_equal(e.name, v[i].name, e.name_len);
		assert_ptr_equal(e.name + e.name_len, end);
	}
}

static void iomem_line_stops_at_end(void **state)
{
	static const char text[] = "00001000-0009ffff : System RAM\n00100000-bfffffff : Reserved";
	const char *nl = strchr(text, '\n');
	struct baton_iomem_entry e;

	(void)state;
	assert_int_equal(baton_iomem_line(text, nl, &e), 0);
	assert_int_equal(e.name_len, strlen("System RAM"));
	assert_ptr_equal(e.name + e.name_len, nl);
	/* Cut inside the numbers, the line is no longer complete. */
	assert_int_equal(baton_iomem_line(text, text + 8, &e), -1);
	assert_int_equal(baton_iomem_line(text, text + 17, &e), -1);
	assert_int_equal(baton_iomem_line(text, text + 18, &e), -1);
	assert_int_equal(baton_iomem_line(text, text + 19, &e), 0);
	assert_int_equal(e.name_len, 0);
}

static void iomem_line_rejects_malformed(void **state)
{
	static const char *v[] = {
		"",
		"   ",
		"0x1000-0009ffff : System RAM",         /* the kernel prints no 0x */
		"00001000-0x9ffff : System RAM",
		"0000g000-0009ffff : System RAM",
		"00001000 0009ffff : System RAM",
		"00001000-0009ffff System RAM",
		"00001000-0009ffff - System RAM",
		"00001000- : System RAM",
		"-00001000-0009ffff : System RAM",
		"00001000-0009ffff",
		"00001000-0009ffff ",
		"10000000000000000-10000000000000fff : System RAM",   /* 65 bits */
		"00001000-10000000000000000 : System RAM",
		"System RAM",
	};

	(void)state;
	for (size_t i = 0; i < NELEM(v); i++) {
		struct baton_iomem_entry e;

		if (!baton_iomem_line(v[i], v[i] + strlen(v[i]), &e))
			fail_msg("\"%s\": accepted", v[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(is_space_is_the_c_locale_set),
		cmocka_unit_test(hex_digit_both_cases),
		cmocka_unit_test(parse_u64_digits),
		cmocka_unit_test(parse_hex_optional_0x),
		cmocka_unit_test(trim_both_ends),
		cmocka_unit_test(next_line_splits_and_trims),
		cmocka_unit_test(iomem_line_parses_entries),
		cmocka_unit_test(iomem_line_stops_at_end),
		cmocka_unit_test(iomem_line_rejects_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
