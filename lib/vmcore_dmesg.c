/* SPDX-License-Identifier: MIT */
/* The printk rings of a dead kernel, read through the layout its VMCOREINFO exports
 * (kernel/printk/printk.c, log_buf_vmcoreinfo_setup()). */
#include "vmcore_dmesg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "le.h"

/* No real ring comes near this (the kernel caps log_buf_len at 2 GiB, Debian's is 128 KiB to a
 * few MiB); it bounds what a corrupt dump can make us allocate in a small capture kernel. */
#define MAX_RING (256u << 20)

/* A lockless-ring descriptor's state_var: the top two bits are the state, the rest the id. */
#define DESC_ID_MASK ((1ull << 62) - 1)
#define DESC_STATE(sv) ((sv) >> 62)
enum { DESC_COMMITTED = 1, DESC_FINALIZED = 2 };
/* Text block positions with bit 0 set carry no data; this one marks text that was lost. */
#define LPOS_FAILED 1ull

static int out_grow(struct baton_dmesg *d, size_t more, struct baton_error *err)
{
	size_t cap = d->cap ? d->cap : 4096;
	char *t;

	if (d->len + more + 1 <= d->cap)
		return 0;
	while (cap < d->len + more + 1)
		cap *= 2;
	if (!(t = realloc(d->text, cap)))
		return baton_fail(err, ENOMEM, "vmcore-dmesg: out of memory for %zu bytes of log", cap);
	d->text = t;
	d->cap = cap;
	return 0;
}

/* One record: the timestamp, the text with what is neither printable nor white space escaped
 * (as kexec-tools' vmcore-dmesg does), a newline. */
static int out_record(struct baton_dmesg *d, uint64_t ts_nsec, const uint8_t *text, size_t len,
		      struct baton_error *err)
{
	int rc = out_grow(d, 32 + 4 * len, err);

	if (rc)
		return rc;
	d->len += (size_t)sprintf(d->text + d->len, "[%5" PRIu64 ".%06" PRIu64 "] ",
				  ts_nsec / 1000000000, ts_nsec % 1000000000 / 1000);
	for (size_t i = 0; i < len; i++) {
		uint8_t c = text[i];

		if ((c >= 0x20 && c < 0x7f) || (c >= '\t' && c <= '\r'))
			d->text[d->len++] = (char)c;
		else
			d->len += (size_t)sprintf(d->text + d->len, "\\x%02x", c);
	}
	d->text[d->len++] = '\n';
	d->text[d->len] = 0;
	return 0;
}

/* --- VMCOREINFO's numbers ----------------------------------------------------------------------- */
struct key {
	const char *name;
	const char *alt;      /* an older kernel's name for the same, or NULL */
	unsigned base;
	size_t at;            /* offsetof the field it fills */
};

static int get_keys(const struct baton_vmcore *vc, const struct key *k, size_t n, void *dst,
		    const char *ring, struct baton_error *err)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t *v = (uint64_t *)((char *)dst + k[i].at);

		if (baton_vmcore_info(vc, k[i].name, k[i].base, v) &&
		    (!k[i].alt || baton_vmcore_info(vc, k[i].alt, k[i].base, v)))
			return baton_fail(err, EINVAL, "vmcore %s: VMCOREINFO lacks %s (the %s's "
					  "layout)", vc->name, k[i].name, ring);
	}
	return 0;
}

/* A little-endian field of `width` bytes at off in a structure of size bytes; *bad is set when it
 * does not fit there (a layout no kernel exports). */
static uint64_t field(const uint8_t *s, uint64_t size, uint64_t off, unsigned width, int *bad)
{
	if (off > size || width > size - off) {
		*bad = 1;
		return 0;
	}
	return width == 2 ? baton_le16(s + off) : width == 4 ? baton_le32(s + off)
	       : baton_le64(s + off);
}

/* len bytes at vaddr into a new buffer; refused before allocating when the dump cannot hold
 * that much. */
static int read_new(const struct baton_vmcore *vc, uint64_t vaddr, uint64_t len, const char *what,
		    uint8_t **out, struct baton_error *err)
{
	int rc;

	*out = NULL;
	if (len > MAX_RING || len > vc->rd.size)
		return baton_fail(err, EINVAL, "vmcore %s: %s of %" PRIu64 " bytes: corrupt (more "
				  "than the dump or %u MiB)", vc->name, what, len, MAX_RING >> 20);
	if (!(*out = malloc(len ? (size_t)len : 1)))
		return baton_fail(err, ENOMEM, "vmcore %s: out of memory for %s", vc->name, what);
	if ((rc = baton_vmcore_read(vc, vaddr, *out, (size_t)len, what, err))) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

static int read_u64(const struct baton_vmcore *vc, uint64_t vaddr, const char *what,
		    uint64_t *v, struct baton_error *err)
{
	uint8_t b[8];
	int rc = baton_vmcore_read(vc, vaddr, b, sizeof(b), what, err);

	*v = rc ? 0 : baton_le64(b);
	return rc;
}

/* --- Linux 5.10 and later: the lockless ring (kernel/printk/printk_ringbuffer.h) ----------- */
struct prb_layout {
	uint64_t prb, prb_size, desc_ring, text_ring;
	uint64_t count_bits, descs, infos, head_id, tail_id;
	uint64_t desc_size, state_var, text_blk_lpos, lpos_begin, lpos_next;
	uint64_t info_size, ts_nsec, text_len;
	uint64_t size_bits, data, counter;
};

#define PRB(name, field) { name, NULL, 10, offsetof(struct prb_layout, field) }
static const struct key prb_keys[] = {
	{ "SYMBOL(prb)", NULL, 16, offsetof(struct prb_layout, prb) },
	PRB("SIZE(printk_ringbuffer)", prb_size),
	PRB("OFFSET(printk_ringbuffer.desc_ring)", desc_ring),
	PRB("OFFSET(printk_ringbuffer.text_data_ring)", text_ring),
	PRB("OFFSET(prb_desc_ring.count_bits)", count_bits),
	PRB("OFFSET(prb_desc_ring.descs)", descs),
	PRB("OFFSET(prb_desc_ring.infos)", infos),
	PRB("OFFSET(prb_desc_ring.head_id)", head_id),
	PRB("OFFSET(prb_desc_ring.tail_id)", tail_id),
	PRB("SIZE(prb_desc)", desc_size),
	PRB("OFFSET(prb_desc.state_var)", state_var),
	PRB("OFFSET(prb_desc.text_blk_lpos)", text_blk_lpos),
	PRB("OFFSET(prb_data_blk_lpos.begin)", lpos_begin),
	PRB("OFFSET(prb_data_blk_lpos.next)", lpos_next),
	PRB("SIZE(printk_info)", info_size),
	PRB("OFFSET(printk_info.ts_nsec)", ts_nsec),
	PRB("OFFSET(printk_info.text_len)", text_len),
	PRB("OFFSET(prb_data_ring.size_bits)", size_bits),
	PRB("OFFSET(prb_data_ring.data)", data),
	PRB("OFFSET(atomic_long_t.counter)", counter),
};

/* The ring as read from the dump. */
struct prb {
	const struct prb_layout *l;
	uint8_t *descs, *infos, *data;
	uint64_t count, data_size;
};

/* The text of the record with this id, as the kernel's get_data() finds it: [*text, +*len), or
 * *len 0 for a record without text. -1 when the record is not there (overwritten, not yet
 * committed, its text lost or its block positions impossible): it is skipped. */
static int prb_text(const struct prb *r, uint64_t id, const uint8_t **text, uint64_t *len,
		    uint64_t *ts)
{
	const struct prb_layout *l = r->l;
	const uint8_t *d = r->descs + (id % r->count) * l->desc_size;
	const uint8_t *info = r->infos + (id % r->count) * l->info_size;
	uint64_t sv, begin, next, bi, size = r->data_size;
	int bad = 0;

	sv = field(d, l->desc_size, l->state_var + l->counter, 8, &bad);
	begin = field(d, l->desc_size, l->text_blk_lpos + l->lpos_begin, 8, &bad);
	next = field(d, l->desc_size, l->text_blk_lpos + l->lpos_next, 8, &bad);
	*ts = field(info, l->info_size, l->ts_nsec, 8, &bad);
	*len = field(info, l->info_size, l->text_len, 2, &bad);
	if (bad || (sv & DESC_ID_MASK) != id ||
	    (DESC_STATE(sv) != DESC_COMMITTED && DESC_STATE(sv) != DESC_FINALIZED))
		return -1;
	if ((begin & 1) && (next & 1)) {      /* data-less: an empty line, or lost text */
		*len = 0;
		return begin == LPOS_FAILED ? -1 : 0;
	}
	bi = begin % size;
	if (begin / size == next / size && next > begin)
		size = next - begin;
	else if ((begin + size) / size == next / size) {   /* wrapped: the block starts at 0 */
		bi = 0;
		size = next % size;
	} else
		return -1;
	if (size < 8 || bi + size > r->data_size)      /* the block starts with its id */
		return -1;
	*text = r->data + bi + 8;
	if (*len > size - 8)                           /* truncated, as kexec-tools does */
		*len = size - 8;
	return 0;
}

static int prb_walk(const struct baton_vmcore *vc, const struct prb *r, uint64_t tail,
		    uint64_t head, struct baton_dmesg *out, struct baton_error *err)
{
	uint64_t n = (head - tail) & DESC_ID_MASK;
	int rc = 0;

	if (n >= r->count)
		return baton_fail(err, EINVAL, "vmcore %s: printk ring: tail id %" PRIu64 " and head "
				  "id %" PRIu64 " are more than its %" PRIu64 " descriptors apart",
				  vc->name, tail, head, r->count);
	for (uint64_t i = 0; !rc && i <= n; i++) {
		uint64_t id = (tail + i) & DESC_ID_MASK, len, ts;
		const uint8_t *text = NULL;

		if (!prb_text(r, id, &text, &len, &ts))
			rc = out_record(out, ts, text, (size_t)len, err);
	}
	return rc;
}

static int dmesg_lockless(const struct baton_vmcore *vc, struct baton_dmesg *out,
			  struct baton_error *err)
{
	struct prb_layout l;
	struct prb r = { .l = &l };
	uint8_t *rb = NULL;
	uint64_t at, bits, dbits, descs, infos, data, head, tail;
	int bad = 0, rc;

	if ((rc = get_keys(vc, prb_keys, sizeof(prb_keys) / sizeof(prb_keys[0]), &l,
			   "lockless printk ring", err)) ||
	    (rc = read_u64(vc, l.prb, "prb (the printk ring's pointer)", &at, err)) ||
	    (rc = read_new(vc, at, l.prb_size, "the printk_ringbuffer", &rb, err)))
		goto out;
	bits = field(rb, l.prb_size, l.desc_ring + l.count_bits, 4, &bad);
	descs = field(rb, l.prb_size, l.desc_ring + l.descs, 8, &bad);
	infos = field(rb, l.prb_size, l.desc_ring + l.infos, 8, &bad);
	head = field(rb, l.prb_size, l.desc_ring + l.head_id + l.counter, 8, &bad);
	tail = field(rb, l.prb_size, l.desc_ring + l.tail_id + l.counter, 8, &bad);
	dbits = field(rb, l.prb_size, l.text_ring + l.size_bits, 4, &bad);
	data = field(rb, l.prb_size, l.text_ring + l.data, 8, &bad);
	if (bad || bits > 30 || dbits > 30 || !l.desc_size || !l.info_size ||
	    l.desc_size > MAX_RING || l.info_size > MAX_RING) {
		rc = baton_fail(err, EINVAL, "vmcore %s: the printk ring's layout in VMCOREINFO "
				"does not fit its structures, or its sizes are impossible (count_bits %"
				PRIu64 ", size_bits %" PRIu64 ")", vc->name, bits, dbits);
		goto out;
	}
	r.count = 1ull << bits;
	r.data_size = 1ull << dbits;
	if ((rc = read_new(vc, descs, r.count * l.desc_size, "the printk descriptors", &r.descs,
			   err)) ||
	    (rc = read_new(vc, infos, r.count * l.info_size, "the printk infos", &r.infos, err)) ||
	    (rc = read_new(vc, data, r.data_size, "the printk text ring", &r.data, err)))
		goto out;
	rc = prb_walk(vc, &r, tail & DESC_ID_MASK, head & DESC_ID_MASK, out, err);
out:
	free(r.data);
	free(r.infos);
	free(r.descs);
	free(rb);
	return rc;
}

/* --- Linux 3.5 to 5.9: variable-length records in log_buf ---------------------------------- */
struct log_layout {
	uint64_t log_buf, log_buf_len, first_idx, next_idx;
	uint64_t hdr_size, ts_nsec, len, text_len;
};

#define LOG(name, alt, field) { name, alt, 10, offsetof(struct log_layout, field) }
static const struct key log_keys[] = {
	{ "SYMBOL(log_buf)", NULL, 16, offsetof(struct log_layout, log_buf) },
	{ "SYMBOL(log_buf_len)", NULL, 16, offsetof(struct log_layout, log_buf_len) },
	{ "SYMBOL(log_first_idx)", NULL, 16, offsetof(struct log_layout, first_idx) },
	{ "SYMBOL(log_next_idx)", NULL, 16, offsetof(struct log_layout, next_idx) },
	/* struct printk_log was struct log before 3.11 */
	LOG("SIZE(printk_log)", "SIZE(log)", hdr_size),
	LOG("OFFSET(printk_log.ts_nsec)", "OFFSET(log.ts_nsec)", ts_nsec),
	LOG("OFFSET(printk_log.len)", "OFFSET(log.len)", len),
	LOG("OFFSET(printk_log.text_len)", "OFFSET(log.text_len)", text_len),
};

static int read_u32(const struct baton_vmcore *vc, uint64_t vaddr, const char *what,
		    uint64_t *v, struct baton_error *err)
{
	uint8_t b[4];
	int rc = baton_vmcore_read(vc, vaddr, b, sizeof(b), what, err);

	*v = rc ? 0 : baton_le32(b);
	return rc;
}

/* From first to next; a record of length 0 marks the end of the buffer: the next is at 0. */
static int log_walk(const struct baton_vmcore *vc, const struct log_layout *l, const uint8_t *buf,
		    uint64_t size, uint64_t idx, uint64_t next, struct baton_dmesg *out,
		    struct baton_error *err)
{
	int wrapped = 0, rc = 0;

	while (!rc && idx != next) {
		int bad = idx > size;
		const uint8_t *h = bad ? buf : buf + idx;
		uint64_t len = bad ? 0 : field(h, size - idx, l->len, 2, &bad);
		uint64_t text_len = bad ? 0 : field(h, size - idx, l->text_len, 2, &bad);
		uint64_t ts = bad ? 0 : field(h, size - idx, l->ts_nsec, 8, &bad);

		if (!bad && len == 0 && !wrapped) {
			idx = 0;
			wrapped = 1;
			continue;
		}
		if (bad || len < l->hdr_size || l->hdr_size + text_len > len || len > size - idx)
			return baton_fail(err, EINVAL, "vmcore %s: log_buf: corrupt record at "
					  "index %" PRIu64 " (of %" PRIu64 " bytes)", vc->name, idx,
					  size);
		rc = out_record(out, ts, h + l->hdr_size, (size_t)text_len, err);
		idx += len;
	}
	return rc;
}

static int dmesg_records(const struct baton_vmcore *vc, struct baton_dmesg *out,
			 struct baton_error *err)
{
	struct log_layout l;
	uint64_t at, size, first, next;
	uint8_t *buf = NULL;
	int rc;

	if ((rc = get_keys(vc, log_keys, sizeof(log_keys) / sizeof(log_keys[0]), &l,
			   "printk log_buf", err)) ||
	    (rc = read_u64(vc, l.log_buf, "log_buf", &at, err)) ||
	    (rc = read_u32(vc, l.log_buf_len, "log_buf_len", &size, err)) ||
	    (rc = read_u32(vc, l.first_idx, "log_first_idx", &first, err)) ||
	    (rc = read_u32(vc, l.next_idx, "log_next_idx", &next, err)) ||
	    (rc = read_new(vc, at, size, "log_buf", &buf, err)))
		return rc;
	rc = log_walk(vc, &l, buf, size, first, next, out, err);
	free(buf);
	return rc;
}

int baton_vmcore_dmesg(const struct baton_vmcore *vc, struct baton_dmesg *out,
		       struct baton_error *err)
{
	uint64_t v;
	int rc;

	*out = (struct baton_dmesg){ 0 };
	if (!baton_vmcore_info(vc, "SYMBOL(prb)", 16, &v))
		rc = dmesg_lockless(vc, out, err);
	else if (!baton_vmcore_info(vc, "SYMBOL(log_first_idx)", 16, &v))
		rc = dmesg_records(vc, out, err);
	else if (!baton_vmcore_info(vc, "SYMBOL(log_end)", 16, &v))
		return baton_fail(err, ENOTSUP, "vmcore %s: the log is the character ring of Linux "
				  "before 3.5 (log_end), which baton does not read", vc->name);
	else
		return baton_fail(err, EINVAL, "vmcore %s: VMCOREINFO names no printk ring (neither "
				  "prb nor log_buf)", vc->name);
	if (!rc && (rc = out_grow(out, 0, err)) == 0)
		out->text[out->len] = 0;
	if (rc)
		baton_dmesg_free(out);
	return rc;
}

void baton_dmesg_free(struct baton_dmesg *d)
{
	free(d->text);
	*d = (struct baton_dmesg){ 0 };
}
