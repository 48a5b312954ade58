/* SPDX-License-Identifier: MIT */
/* plan-kernel: what libbaton would load for a kernel, without loading it.
 *
 *   cc plan-kernel.c $(pkg-config --cflags --libs baton) -o plan-kernel
 *   ./plan-kernel /boot/vmlinuz [/boot/initrd.img] ["command line"]
 *
 * Reads the running machine (or the root named by $BATON_ROOT, as baton does). A loader would
 * go on with baton_load(b, plan, &err) and, at reboot, baton_exec(b, 0, &err).
 */
#include <stdio.h>
#include <stdlib.h>

#include <baton/baton.h>

static void print_plan(const struct baton_plan *plan)
{
	struct baton_plan_info info;

	baton_plan_info(plan, &info);
	printf("command line: \"%s\"\n", info.cmdline);
	printf("purgatory entry 0x%llx, kernel entry 0x%llx, boot protocol %u.%02u\n",
	       (unsigned long long)info.entry, (unsigned long long)info.kernel_entry,
	       info.boot_protocol >> 8, info.boot_protocol & 0xff);
	for (size_t i = 0; i < info.nr_segments; i++) {
		const struct baton_plan_segment *s = baton_plan_segment(plan, i);
		printf("segment %-12s at 0x%012llx, %llu bytes\n", s->name,
		       (unsigned long long)s->mem, (unsigned long long)s->memsz);
	}
	for (size_t i = 0; i < info.nr_ranges; i++) {
		struct baton_plan_range r;
		if (baton_plan_range(plan, i, &r) == 0 && r.type == BATON_MEM_TYPE_RAM)
			printf("RAM 0x%012llx-0x%012llx\n", (unsigned long long)r.start,
			       (unsigned long long)r.end);
	}
	printf("identity map: %zu page-table pages, %d-level, 1G pages %s\n", info.table_pages,
	       info.paging_levels, info.gbpages ? "on" : "off");
}

int main(int argc, char **argv)
{
	struct baton_config cfg = { .root = getenv("BATON_ROOT") };
	struct baton_load_opts opts = { 0 };
	struct baton_error err;
	struct baton_plan *plan;
	struct baton *b;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: %s KERNEL [INITRD] [COMMAND-LINE]\n", argv[0]);
		return 2;
	}
	opts.kernel = argv[1];
	opts.initrd = argc > 2 && argv[2][0] ? argv[2] : NULL;
	opts.cmdline = argc > 3 ? argv[3] : NULL;
	if (baton_open(&b, &cfg, &err)) {
		fprintf(stderr, "plan-kernel: %s\n", err.msg);
		return 1;
	}
	if (baton_plan_create(b, &opts, &plan, &err)) {
		fprintf(stderr, "plan-kernel: %s\n", err.msg);
		baton_close(b);
		return 1;
	}
	print_plan(plan);
	baton_plan_free(plan);
	baton_close(b);
	return 0;
}
