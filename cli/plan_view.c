/* SPDX-License-Identifier: MIT */
/* The plan as a picture (the JSON form is plan_json.c). One line per memory-map range or hole, in address order, with
 * a bar showing where segments land and the identity map's leaves over it, as the page tables hold
 * them (lib/mapwalk.c reads them back, so the picture checks the builder rather than repeats it). */
#include "plan_view.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mapwalk.h"
#include "plan_json.h"
#include "report.h"

#define BAR_WIDTH   20
#define MAX_LINES   40                /* longer maps are collapsed to about this */
#define MIN_RUN     3                 /* collapse no fewer lines than this into one */
#define USAGE_WIDTH 30                /* the identity-map column; longer text goes on its own line */
#define LOW_4G      (1ULL << 32)

enum { KIND_HOLE = BATON_MEM_SOFT_RESERVED + 1, KIND_COLLAPSED, NR_KINDS };

static const char *const kind_short[NR_KINDS] = {
	[BATON_MEM_RAM] = "RAM", [BATON_MEM_RESERVED] = "reserved", [BATON_MEM_ACPI] = "ACPI",
	[BATON_MEM_NVS] = "NVS", [BATON_MEM_UNUSABLE] = "unusable", [BATON_MEM_PMEM] = "pmem",
	[BATON_MEM_SOFT_RESERVED] = "soft-res", [KIND_HOLE] = "hole", [KIND_COLLAPSED] = "various",
};

/* By role: every kernel segment is K, every module M. */
static const char role_letter[] = {
	[BATON_SEG_KERNEL] = 'K', [BATON_SEG_INITRD] = 'I', [BATON_SEG_MODULE] = 'M',
	[BATON_SEG_ELFCOREHDR] = 'E', [BATON_SEG_BACKUP] = 'S', [BATON_SEG_BOOT_INFO] = 'B',
	[BATON_SEG_PAGE_TABLES] = 'T', [BATON_SEG_PURGATORY] = 'P', [BATON_SEG_TRAMPOLINE] = 'L',
};

static char seg_letter(const struct baton_segment *s)
{
	return role_letter[s->role];
}

static const char *const page_name[BATON_PAGE_SIZES] = { "4K", "2M", "1G" };

struct glyphs {
	const char *ram, *ram_like, *reserved, *hole, *collapsed;
	const char *edge, *times, *branch, *last_branch;
};

static const struct glyphs ascii = { ".", ":", "#", " ", "~", "|", "x", "|-", "`-" };
static const struct glyphs utf8 = {
	"\u2591", "\u2592", "\u2593", " ", "\u2508", "\u2502", "\u00d7", "\u251c\u2500",
	"\u2514\u2500",
};

/* One line of the picture: a range, a hole, or several lines collapsed into one. */
struct row {
	uint64_t start, end;
	int kind;                      /* enum baton_mem_kind, KIND_HOLE or KIND_COLLAPSED */
	unsigned segs;                 /* bit per segment (index) that lands (partly) here */
	size_t count[KIND_HOLE + 1];   /* KIND_COLLAPSED: the lines it stands for, by kind */
};

struct view {
	FILE *out;
	const struct baton_image *img;
	const struct baton_map_runs *map;
	const struct glyphs *g;
	int order[BATON_MAX_SEGMENTS];    /* the segments, by address */
	int nr_segs;
};

/* Leaves over a stretch of address space: every page that holds a byte of it counts. */
struct usage {
	uint64_t pages[BATON_PAGE_SIZES][2];   /* [size][0] WB, [1] UC */
	uint64_t mapped;                       /* bytes of the stretch that are mapped */
};

/* A line under construction, for measuring before printing. */
struct line {
	char s[512];
	size_t n;
};

static void line_add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void line_add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->n >= sizeof(l->s) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->s + l->n, sizeof(l->s) - l->n, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->n = l->n + (size_t)n < sizeof(l->s) ? l->n + (size_t)n : sizeof(l->s) - 1;
}

/* Columns on a terminal: UTF-8 continuation bytes take none. */
static size_t columns(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

enum plan_view_charset plan_view_charset(const char *lc_all, const char *lc_ctype, const char *lang)
{
	const char *v = lc_all && *lc_all ? lc_all : lc_ctype && *lc_ctype ? lc_ctype : lang;

	if (v && (strcasestr(v, "utf-8") || strcasestr(v, "utf8")))
		return PLAN_VIEW_UTF8;
	return PLAN_VIEW_ASCII;
}

const char *plan_view_size(char *buf, size_t len, uint64_t bytes)
{
	static const char units[] = "BKMGTPE";
	int u = 0;

	while (u < 6 && bytes >> (10 * (u + 1)))
		u++;
	/* 1023.96M would print as "1024.0M": say 1.0G instead. */
	if (u < 6 && u > 0 && (double)bytes / (double)(1ULL << (10 * u)) >= 1023.95)
		u++;
	if (bytes % (1ULL << (10 * u)) == 0)
		snprintf(buf, len, "%llu%c", (unsigned long long)(bytes >> (10 * u)), units[u]);
	else
		snprintf(buf, len, "%.1f%c", (double)bytes / (double)(1ULL << (10 * u)), units[u]);
	return buf;
}

/* ---- rows ------------------------------------------------------------------------------------ */

static int overlaps(uint64_t a, uint64_t b, uint64_t s, uint64_t e)
{
	return a < e && s < b;
}

static void add_row(struct row *v, size_t *n, const struct baton_image *img, uint64_t start,
		    uint64_t end, int kind)
{
	struct row *r = &v[(*n)++];

	memset(r, 0, sizeof(*r));
	r->start = start;
	r->end = end;
	r->kind = kind;
	for (size_t i = 0; i < img->segs.nr; i++) {
		const struct baton_segment *s = &img->segs.seg[i];
		if (overlaps(s->mem, s->mem + s->memsz, start, end))
			r->segs |= 1u << i;
	}
}

/* Below 4 GiB a hole is mapped UC, above it unmapped: two different lines. */
static void add_hole(struct row *v, size_t *n, const struct baton_image *img, uint64_t start,
		     uint64_t end)
{
	if (start < LOW_4G && end > LOW_4G) {
		add_row(v, n, img, start, LOW_4G, KIND_HOLE);
		start = LOW_4G;
	}
	add_row(v, n, img, start, end, KIND_HOLE);
}

static struct row *build_rows(const struct baton_image *img, size_t *n, struct baton_error *err)
{
	const struct baton_memmap *m = &img->in.memmap;
	struct row *v = calloc(2 * m->nr + 2, sizeof(*v));
	uint64_t at = 0;

	*n = 0;
	if (!v) {
		baton_fail(err, ENOMEM, "plan: out of memory");
		return NULL;
	}
	for (size_t i = 0; i < m->nr; i++) {
		const struct baton_mem_range *r = &m->ranges[i];
		if (r->start > at)
			add_hole(v, n, img, at, r->start);
		add_row(v, n, img, r->start, r->end, r->kind);
		at = r->end > at ? r->end : at;
	}
	return v;
}

/* A line without a segment below `small` bytes; RAM of 64 MiB or more only as a last resort (small
 * UINT64_MAX): it is what the new kernel will run in. */
static int collapsible(const struct row *r, uint64_t small)
{
	uint64_t size = r->end - r->start;

	if (r->segs)
		return 0;
	if (r->kind == KIND_COLLAPSED)
		return 1;
	if (r->kind == BATON_MEM_RAM && size >= (64ULL << 20) && small != UINT64_MAX)
		return 0;
	return size < small;
}

static void tally(struct row *c, const struct row *r)
{
	if (r->kind != KIND_COLLAPSED) {
		c->count[r->kind]++;
		return;
	}
	for (int k = 0; k <= KIND_HOLE; k++)
		c->count[k] += r->count[k];
}

/* Runs of at least MIN_RUN segment-free lines below `small` bytes each become one line. */
static size_t collapse(struct row *v, size_t n, uint64_t small)
{
	size_t out = 0, i = 0, j;

	while (i < n) {
		for (j = i; j < n && collapsible(&v[j], small); j++)
			;
		if (j - i < MIN_RUN) {
			v[out++] = v[i++];
			continue;
		}
		struct row c = { .start = v[i].start, .end = v[j - 1].end, .kind = KIND_COLLAPSED };
		for (; i < j; i++)
			tally(&c, &v[i]);
		v[out++] = c;
	}
	return out;
}

/* Small firmware ranges first; while the map is still long, larger and larger ones. */
static size_t fit_rows(struct row *v, size_t n)
{
	static const uint64_t small[] = { 64ULL << 20, 1ULL << 30, 64ULL << 30, UINT64_MAX };

	for (size_t i = 0; n > MAX_LINES && i < sizeof(small) / sizeof(small[0]); i++)
		n = collapse(v, n, small[i]);
	return n;
}

/* ---- the identity map over a stretch ---------------------------------------------------------- */

static void usage_of(const struct baton_map_runs *m, uint64_t s, uint64_t e, struct usage *u)
{
	size_t lo = 0, hi = m->nr;

	memset(u, 0, sizeof(*u));
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->runs[mid].end <= s)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < m->nr && m->runs[i].start < e; i++) {
		const struct baton_map_run *r = &m->runs[i];
		uint64_t pb = baton_page_bytes(r->page_size);
		uint64_t first = s & ~(pb - 1), last = (e + pb - 1) & ~(pb - 1);

		first = r->start > first ? r->start : first;
		last = r->end < last ? r->end : last;
		u->pages[r->page_size][r->cache == BATON_CACHE_UC] += (last - first) / pb;
		u->mapped += (r->end < e ? r->end : e) - (r->start > s ? r->start : s);
	}
}

/* "2M×510 4K×736 WB, 4K×1 UC", "unmapped", "4K×16 UC, part unmapped". */
static void add_usage(struct line *l, const struct glyphs *g, const struct usage *u, uint64_t bytes)
{
	static const char *const cache[2] = { "WB", "UC" };
	const char *sep = "";

	for (int c = 0; c < 2; c++) {
		int any = 0;
		for (int s = BATON_PAGE_SIZES - 1; s >= 0; s--) {
			if (!u->pages[s][c])
				continue;
			line_add(l, "%s%s%s%llu", any ? " " : sep, page_name[s], g->times,
				 (unsigned long long)u->pages[s][c]);
			any = 1;
		}
		if (any) {
			line_add(l, " %s", cache[c]);
			sep = ", ";
		}
	}
	if (!u->mapped)
		line_add(l, "unmapped");
	else if (u->mapped < bytes)
		line_add(l, "%spart unmapped", sep);
}

/* ---- the picture ----------------------------------------------------------------------------- */

static const char *fill(const struct glyphs *g, int kind)
{
	switch (kind) {
	case BATON_MEM_RAM:
		return g->ram;
	case KIND_HOLE:
		return g->hole;
	case KIND_COLLAPSED:
		return g->collapsed;
	default:
		return baton_mem_kind_is_ram_like(kind) ? g->ram_like : g->reserved;
	}
}

/* Cells [first, last] of the bar for [a, b) inside the row, at least one cell. */
static void cells(const struct row *r, uint64_t a, uint64_t b, int *first, int *last)
{
	uint64_t size = r->end - r->start;

	a = a > r->start ? a : r->start;
	b = b < r->end ? b : r->end;
	/* Addresses are below 2^48 and the bar 20 cells wide: no overflow. */
	*first = (int)((a - r->start) * BAR_WIDTH / size);
	*last = (int)(((b - r->start) * BAR_WIDTH + size - 1) / size) - 1;
	if (*last < *first)
		*last = *first;
}

/* Each segment keeps at least one cell of its own, in address order, however close they sit. */
static void separate(int *first, int *last, int n)
{
	for (int i = 1; i < n; i++)
		if (first[i] <= last[i - 1]) {
			first[i] = last[i - 1] + 1;
			last[i] = last[i] > first[i] ? last[i] : first[i];
		}
	for (int i = n - 1; i >= 0; i--) {
		int limit = i == n - 1 ? BAR_WIDTH - 1 : first[i + 1] - 1;
		last[i] = last[i] < limit ? last[i] : limit;
		first[i] = first[i] < last[i] ? first[i] : last[i];
	}
}

static void add_bar(struct line *l, const struct view *v, const struct row *r)
{
	int first[BATON_MAX_SEGMENTS], last[BATON_MAX_SEGMENTS], id[BATON_MAX_SEGMENTS], n = 0;
	int k = 0;

	for (int i = 0; i < v->nr_segs; i++) {
		const struct baton_segment *s = &v->img->segs.seg[v->order[i]];
		if (!(r->segs & (1u << v->order[i])))
			continue;
		cells(r, s->mem, s->mem + s->memsz, &first[n], &last[n]);
		id[n++] = v->order[i];
	}
	separate(first, last, n);
	line_add(l, "%s", v->g->edge);
	for (int c = 0; c < BAR_WIDTH; c++) {
		while (k < n && last[k] < c)
			k++;
		if (k < n && first[k] <= c)
			line_add(l, "%c", seg_letter(&v->img->segs.seg[id[k]]));
		else
			line_add(l, "%s", fill(v->g, r->kind));
	}
	line_add(l, "%s", v->g->edge);
}

static void add_range(struct line *l, uint64_t start, uint64_t end)
{
	line_add(l, "0x%012llx-0x%012llx", (unsigned long long)start, (unsigned long long)end - 1);
}

static void print_line(const struct view *v, const struct line *l)
{
	fprintf(v->out, "%s\n", l->s);
}

/* The identity map after the bar, or on a line of its own when it does not fit in 100 columns. */
static void print_row_usage(const struct view *v, struct line *l, const struct row *r, int more)
{
	struct line u = { .n = 0 };
	struct usage use;

	u.s[0] = 0;
	usage_of(v->map, r->start, r->end, &use);
	add_usage(&u, v->g, &use, r->end - r->start);
	if (columns(u.s) <= USAGE_WIDTH) {
		line_add(l, " %s", u.s);
		print_line(v, l);
		return;
	}
	print_line(v, l);
	fprintf(v->out, "   %s identity map: %s\n", more ? v->g->branch : v->g->last_branch, u.s);
}

static void print_segment(const struct view *v, int id, int last)
{
	const struct baton_segment *s = &v->img->segs.seg[id];
	struct line l = { .n = 0 };
	struct usage use;
	char size[16];

	usage_of(v->map, s->mem, s->mem + s->memsz, &use);
	line_add(&l, "   %s %c %-11s ", last ? v->g->last_branch : v->g->branch, seg_letter(s),
		 s->name);
	add_range(&l, s->mem, s->mem + s->memsz);
	line_add(&l, " %7s ", plan_view_size(size, sizeof(size), s->memsz));
	add_usage(&l, v->g, &use, s->memsz);
	print_line(v, &l);
}

static void print_collapsed(const struct view *v, const struct row *r)
{
	static const int order[] = {
		BATON_MEM_RESERVED, BATON_MEM_RAM, KIND_HOLE, BATON_MEM_ACPI, BATON_MEM_NVS,
		BATON_MEM_UNUSABLE, BATON_MEM_PMEM, BATON_MEM_SOFT_RESERVED,
	};
	struct line l = { .n = 0 };
	size_t total = 0;

	for (int k = 0; k <= KIND_HOLE; k++)
		total += r->count[k];
	line_add(&l, "   %s %zu lines collapsed:", v->g->last_branch, total);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (r->count[order[i]])
			line_add(&l, "%s %zu %s", l.s[l.n - 1] == ':' ? "" : ",", r->count[order[i]],
				 kind_short[order[i]]);
	print_line(v, &l);
}

static void print_row(const struct view *v, const struct row *r)
{
	struct line l = { .n = 0 };
	char size[16];
	int left = 0, shown = 0;

	for (int i = 0; i < v->nr_segs; i++)
		left += !!(r->segs & (1u << v->order[i]));
	add_range(&l, r->start, r->end);
	line_add(&l, " %7s %-8s ", plan_view_size(size, sizeof(size), r->end - r->start),
		 kind_short[r->kind]);
	add_bar(&l, v, r);
	print_row_usage(v, &l, r, left || r->kind == KIND_COLLAPSED);
	for (int i = 0; i < v->nr_segs; i++)
		if (r->segs & (1u << v->order[i]))
			print_segment(v, v->order[i], ++shown == left);
	if (r->kind == KIND_COLLAPSED)
		print_collapsed(v, r);
}

static void print_legend(const struct view *v, size_t ranges, size_t lines, size_t shown)
{
	const struct glyphs *g = v->g;
	struct line l = { .n = 0 };

	line_add(&l, "segments:");
	for (int i = 0; i < v->nr_segs; i++)
		line_add(&l, " %c %s", seg_letter(&v->img->segs.seg[v->order[i]]),
			 v->img->segs.seg[v->order[i]].name);
	print_line(v, &l);
	fprintf(v->out, "memory:   %s RAM  %s ACPI/NVS/pmem  %s reserved  '%s' hole (below 4 GiB "
		"mapped UC)  %s collapsed\n", g->ram, g->ram_like, g->reserved, g->hole, g->collapsed);
	fprintf(v->out, "%zu firmware ranges and %zu holes", ranges, lines - ranges);
	if (shown < lines)
		fprintf(v->out, " in %zu lines (runs of lines without a segment collapsed)", shown);
	fputc('\n', v->out);
}

/* What the walk found, in one line: the tables, the leaves, the bytes by type. */
static void print_walk(const struct view *v)
{
	const struct baton_identmap_stats *st = &v->map->stats;
	uint64_t bytes[2] = { 0, 0 };
	char wb[16], uc[16];

	for (size_t i = 0; i < v->map->nr; i++)
		bytes[v->map->runs[i].cache == BATON_CACHE_UC] += v->map->runs[i].end -
								   v->map->runs[i].start;
	fprintf(v->out, "identity map, read back: %zu table pages, leaves 1G%s%llu 2M%s%llu 4K%s%llu "
		"as built; %s WB, %s UC\n", st->table_pages,
		v->g->times, (unsigned long long)(st->leaves[2][0] + st->leaves[2][1]),
		v->g->times, (unsigned long long)(st->leaves[1][0] + st->leaves[1][1]),
		v->g->times, (unsigned long long)(st->leaves[0][0] + st->leaves[0][1]),
		plan_view_size(wb, sizeof(wb), bytes[0]), plan_view_size(uc, sizeof(uc), bytes[1]));
}

static void sort_segments(struct view *v)
{
	const struct baton_segment *s = v->img->segs.seg;

	v->nr_segs = 0;
	for (int i = 0; i < (int)v->img->segs.nr; i++) {
		int j = v->nr_segs++;
		for (; j > 0 && s[v->order[j - 1]].mem > s[i].mem; j--)
			v->order[j] = v->order[j - 1];
		v->order[j] = i;
	}
}

static void print_header(const struct view *v)
{
	const struct baton_image *img = v->img;

	fprintf(v->out, "Physical address space, as baton hands it over (ends inclusive; each bar "
		"is its own line's scale)\n");
	if (img->flags & BATON_LOAD_CRASH) {
		const struct baton_phys_range *c = &img->in.crash.crash[img->in.crash.nr_crash - 1];
		char size[16];
		struct line l = { .n = 0 };
		line_add(&l, "crash region ");
		add_range(&l, c->start, c->end);
		line_add(&l, " (%s): every segment lands in it", plan_view_size(size, sizeof(size),
										c->end - c->start));
		print_line(v, &l);
	}
	fprintf(v->out, "%-29s %7s %-8s %-*s %s\n", "range", "size", "kind", BAR_WIDTH + 2,
		"segments", "identity map (page tables)");
}

int plan_view_text(FILE *out, const struct baton_image *img, const char *kernel,
		   enum plan_view_charset cs, struct baton_error *err)
{
	struct view v = { out, img, NULL, cs == PLAN_VIEW_UTF8 ? &utf8 : &ascii, { 0 }, 0 };
	struct baton_map_runs map;
	size_t lines, shown;
	struct row *rows;
	int rc = baton_mapwalk_image(img, &map, err);

	if (rc)
		return rc;
	rows = build_rows(img, &lines, err);
	if (!rows) {
		baton_map_runs_free(&map);
		return -ENOMEM;
	}
	v.map = &map;
	sort_segments(&v);
	shown = fit_rows(rows, lines);
	print_header(&v);
	for (size_t i = 0; i < shown; i++)
		print_row(&v, &rows[i]);
	print_legend(&v, img->in.memmap.nr, lines, shown);
	print_walk(&v);
	fputc('\n', out);
	report_plan(out, img, kernel);
	free(rows);
	baton_map_runs_free(&map);
	return 0;
}

int plan_view_print(FILE *out, const struct baton_image *img, const char *kernel, int json,
		    struct baton_error *err)
{
	if (json)
		return plan_json(out, img, kernel, err);
	return plan_view_text(out, img, kernel, plan_view_charset(getenv("LC_ALL"),
								 getenv("LC_CTYPE"), getenv("LANG")),
			      err);
}
