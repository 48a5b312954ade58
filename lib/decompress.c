/* SPDX-License-Identifier: MIT */
/* Compressed images: one output buffer (anonymous memory, grown by mremap, sized first from what
 * the format says of itself) fed by one decoder loop per library, the input read in chunks. */
#include "decompress.h"

#include <limits.h>
#include <lzma.h>
#include <string.h>
#include <sys/mman.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#define PAGE 4096UL
#define IN_CHUNK (1UL << 20)          /* input handed to a decoder per call */
#define MIN_CAP (64UL << 10)
#define XZ_MEMLIMIT (512ULL << 20)    /* xz -9 needs 65 MiB; larger dictionaries are refused */

struct unpack {
	const uint8_t *in;
	size_t size;
	size_t pos;          /* consumed input */
	size_t released;     /* input pages given back, with `release` */
	int release;         /* the input is a file mapping of ours: drop pages once consumed */
	uint8_t *out;        /* anonymous mapping of `cap` bytes, `len` written */
	size_t len, cap, max;
	const char *what, *path, *name;
	struct baton_error *err;
};

static const uint8_t magic_gzip[] = { 0x1f, 0x8b };
static const uint8_t magic_xz[] = { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 };
static const uint8_t magic_zstd[] = { 0x28, 0xb5, 0x2f, 0xfd };

static int has_magic(const uint8_t *data, size_t size, const uint8_t *magic, size_t len)
{
	return size >= len && !memcmp(data, magic, len);
}

enum baton_compression baton_compression_detect(const uint8_t *data, size_t size)
{
	if (has_magic(data, size, magic_gzip, sizeof(magic_gzip)))
		return BATON_COMPRESSION_GZIP;
	if (has_magic(data, size, magic_xz, sizeof(magic_xz)))
		return BATON_COMPRESSION_XZ;
	if (has_magic(data, size, magic_zstd, sizeof(magic_zstd)))
		return BATON_COMPRESSION_ZSTD;
	return BATON_COMPRESSION_NONE;
}

const char *baton_compression_name(enum baton_compression c)
{
	switch (c) {
	case BATON_COMPRESSION_GZIP: return "gzip";
	case BATON_COMPRESSION_XZ: return "xz";
	case BATON_COMPRESSION_ZSTD: return "zstd";
	default: return "none";
	}
}

static size_t page_up(size_t v)
{
	return (v + PAGE - 1) & ~(PAGE - 1);
}

static int corrupt(struct unpack *u, const char *why)
{
	return baton_fail(u->err, EBADMSG, "%s: %s: %s data corrupt (%s)", u->what, u->path,
			  u->name, why);
}

static int too_big(struct unpack *u)
{
	if (u->max % (1UL << 20) == 0)
		return baton_fail(u->err, EFBIG, "%s: %s: %s data unpacks to more than %zu MiB "
				  "(the limit)", u->what, u->path, u->name, u->max >> 20);
	return baton_fail(u->err, EFBIG, "%s: %s: %s data unpacks to more than %zu bytes "
			  "(the limit)", u->what, u->path, u->name, u->max);
}

static int no_memory(struct unpack *u)
{
	return baton_fail(u->err, ENOMEM, "%s: %s: out of memory unpacking %s data", u->what,
			  u->path, u->name);
}

/* The next piece of input for the decoder. */
static size_t in_chunk(const struct unpack *u)
{
	size_t left = u->size - u->pos;

	return left < IN_CHUNK ? left : IN_CHUNK;
}

/* `n` more bytes consumed: the whole pages behind them are not read again. */
static void in_consumed(struct unpack *u, size_t n)
{
	size_t done;

	u->pos += n;
	done = u->pos & ~(PAGE - 1);
	if (u->release && done > u->released) {
		madvise((void *)(u->in + u->released), done - u->released, MADV_DONTNEED);
		u->released = done;
	}
}

/* Room for at least one more byte, or the cap is passed. */
static int out_room(struct unpack *u)
{
	size_t limit = page_up(u->max + 1), cap;
	void *p;

	if (u->len > u->max)
		return too_big(u);
	if (u->len < u->cap)
		return 0;
	cap = u->cap * 2 < limit ? u->cap * 2 : limit;
	p = mremap(u->out, u->cap, cap, MREMAP_MAYMOVE);
	if (p == MAP_FAILED)
		return no_memory(u);
	u->out = p;
	u->cap = cap;
	return 0;
}

/* Most of what the decoders can write per call (zlib counts in unsigned int). */
static size_t out_avail(const struct unpack *u)
{
	size_t n = u->cap - u->len;

	return n < UINT_MAX ? n : UINT_MAX;
}

static int gunzip(struct unpack *u)
{
	z_stream s;
	int rc = 0;

	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK)      /* gzip only, not zlib */
		return no_memory(u);
	for (;;) {
		size_t chunk = in_chunk(u), avail = out_avail(u), produced;
		int zr;

		s.next_in = (Bytef *)(u->in + u->pos);
		s.avail_in = (uInt)chunk;
		s.next_out = u->out + u->len;
		s.avail_out = (uInt)avail;
		zr = inflate(&s, Z_NO_FLUSH);
		produced = avail - s.avail_out;
		in_consumed(u, chunk - s.avail_in);
		u->len += produced;
		if (zr == Z_STREAM_END) {
			if (u->pos == u->size)
				break;
			/* Another member follows (gzip -c a b > c), or the file is corrupt. */
			if (u->size - u->pos < 2 || u->in[u->pos] != 0x1f || u->in[u->pos + 1] != 0x8b) {
				rc = corrupt(u, "trailing bytes after the last member");
				break;
			}
			inflateReset(&s);
		} else if (zr == Z_MEM_ERROR) {
			rc = no_memory(u);
			break;
		} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			rc = corrupt(u, zr == Z_DATA_ERROR && s.msg ? s.msg : "invalid data");
			break;
		} else if (!chunk && !produced) {
			rc = corrupt(u, "truncated");
			break;
		}
		rc = out_room(u);
		if (rc)
			break;
	}
	inflateEnd(&s);
	return rc;
}

static const char *lzma_why(lzma_ret r)
{
	switch (r) {
	case LZMA_FORMAT_ERROR: return "not an xz stream";
	case LZMA_OPTIONS_ERROR: return "unsupported options";
	case LZMA_BUF_ERROR: return "truncated";
	case LZMA_MEMLIMIT_ERROR: return "needs more than 512 MiB of memory to unpack";
	case LZMA_UNSUPPORTED_CHECK: return "unsupported integrity check";
	default: return "invalid data or integrity check";
	}
}

static int unxz(struct unpack *u)
{
	lzma_stream s = LZMA_STREAM_INIT;
	int rc = 0;

	if (lzma_stream_decoder(&s, XZ_MEMLIMIT, LZMA_CONCATENATED | LZMA_TELL_UNSUPPORTED_CHECK) !=
	    LZMA_OK)
		return no_memory(u);
	for (;;) {
		size_t chunk = in_chunk(u), avail = out_avail(u);
		lzma_ret r;

		s.next_in = u->in + u->pos;
		s.avail_in = chunk;
		s.next_out = u->out + u->len;
		s.avail_out = avail;
		r = lzma_code(&s, u->pos + chunk == u->size ? LZMA_FINISH : LZMA_RUN);
		in_consumed(u, chunk - s.avail_in);
		u->len += avail - s.avail_out;
		if (r == LZMA_STREAM_END)
			break;
		if (r == LZMA_MEM_ERROR) {
			rc = no_memory(u);
			break;
		}
		if (r != LZMA_OK) {
			rc = corrupt(u, lzma_why(r));
			break;
		}
		rc = out_room(u);
		if (rc)
			break;
	}
	lzma_end(&s);
	return rc;
}

static int unzstd(struct unpack *u)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();
	int rc = 0;

	if (!d)
		return no_memory(u);
	for (;;) {
		ZSTD_inBuffer in = { u->in + u->pos, in_chunk(u), 0 };
		ZSTD_outBuffer out = { u->out + u->len, u->cap - u->len, 0 };
		size_t left = ZSTD_decompressStream(d, &out, &in);

		in_consumed(u, in.pos);
		u->len += out.pos;
		if (ZSTD_isError(left)) {
			if (ZSTD_getErrorCode(left) == ZSTD_error_memory_allocation)
				rc = no_memory(u);
			else
				rc = corrupt(u, ZSTD_getErrorName(left));
			break;
		}
		/* 0: a frame is complete and flushed; another may follow. */
		if (!left && u->pos == u->size)
			break;
		if (!in.size && !out.pos) {
			rc = corrupt(u, "truncated");
			break;
		}
		rc = out_room(u);
		if (rc)
			break;
	}
	ZSTD_freeDCtx(d);
	return rc;
}

/* What the file says it unpacks to: a hint to size the buffer, never trusted as a bound (gzip's
 * ISIZE is modulo 2^32 and of the last member only; xz's index is the last stream's; zstd's
 * header the first frame's). 0: it does not say. */
static size_t size_hint(const uint8_t *data, size_t size, enum baton_compression c)
{
	if (c == BATON_COMPRESSION_GZIP && size >= 18)
		return (size_t)data[size - 4] | (size_t)data[size - 3] << 8 |
		       (size_t)data[size - 2] << 16 | (size_t)data[size - 1] << 24;
	if (c == BATON_COMPRESSION_ZSTD) {
		unsigned long long n = ZSTD_getFrameContentSize(data, size);
		return n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR ? 0 : (size_t)n;
	}
	if (c == BATON_COMPRESSION_XZ) {
		const uint8_t *end = data + size;
		lzma_stream_flags fl;
		lzma_index *idx = NULL;
		uint64_t memlimit = 16 << 20, n = 0;
		size_t ipos = 0;

		while (end - data >= 2 * LZMA_STREAM_HEADER_SIZE + 4 && !memcmp(end - 4, "\0\0\0", 4))
			end -= 4;     /* stream padding */
		if (end - data < 2 * LZMA_STREAM_HEADER_SIZE ||
		    lzma_stream_footer_decode(&fl, end - LZMA_STREAM_HEADER_SIZE) != LZMA_OK ||
		    fl.backward_size > (uint64_t)(end - data) - 2 * LZMA_STREAM_HEADER_SIZE)
			return 0;
		end -= LZMA_STREAM_HEADER_SIZE;
		if (lzma_index_buffer_decode(&idx, &memlimit, NULL, end - fl.backward_size, &ipos,
					     fl.backward_size) == LZMA_OK) {
			n = lzma_index_uncompressed_size(idx);
			lzma_index_end(idx, NULL);
		}
		return n > SIZE_MAX ? 0 : (size_t)n;
	}
	return 0;
}

static int unpack(struct baton_file *out, const uint8_t *data, size_t size,
		  enum baton_compression c, size_t max, int release, const char *what,
		  const char *path, struct baton_error *err)
{
	struct unpack u = {
		.in = data, .size = size, .release = release, .what = what, .path = path,
		.name = baton_compression_name(c), .err = err,
	};
	size_t hint;
	void *p;
	int rc;

	memset(out, 0, sizeof(*out));
	u.max = !max ? BATON_DECOMPRESS_MAX : max > BATON_DECOMPRESS_MAX_LIMIT ?
		BATON_DECOMPRESS_MAX_LIMIT : max;
	if (c == BATON_COMPRESSION_NONE)
		return baton_fail(err, EINVAL, "%s: %s: not compressed", what, path);
	/* One page more than the hint: the decoder ends its stream with room to spare. */
	hint = size_hint(data, size, c);
	hint = hint ? hint : size < u.max / 4 ? size * 4 : u.max;
	u.cap = hint < u.max ? page_up(hint) + PAGE : page_up(u.max + 1);
	u.cap = u.cap < MIN_CAP ? MIN_CAP : u.cap;
	p = mmap(NULL, u.cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED)
		return no_memory(&u);
	u.out = p;
	rc = c == BATON_COMPRESSION_GZIP ? gunzip(&u) : c == BATON_COMPRESSION_XZ ? unxz(&u) :
	     unzstd(&u);
	if (!rc && u.len > u.max)
		rc = too_big(&u);
	if (rc || !u.len) {
		munmap(u.out, u.cap);
		return rc;
	}
	/* Give back the spare room; what is left is read-only, as a mapped file is. */
	if (page_up(u.len) < u.cap)
		munmap(u.out + page_up(u.len), u.cap - page_up(u.len));
	mprotect(u.out, u.len, PROT_READ);
	out->data = u.out;
	out->size = u.len;
	out->mapped = 1;
	out->compression = c;
	out->packed_size = size;
	return 0;
}

int baton_decompress(struct baton_file *out, const uint8_t *data, size_t size,
		     enum baton_compression c, size_t max, const char *what, const char *path,
		     struct baton_error *err)
{
	return unpack(out, data, size, c, max, 0, what, path, err);
}

int baton_file_map_image(struct baton_file *f, const char *path, const char *what,
			 unsigned flags, size_t max, struct baton_error *err)
{
	struct baton_file in;
	enum baton_compression c;
	int rc = baton_file_map(&in, path, what, err);

	memset(f, 0, sizeof(*f));
	if (rc)
		return rc;
	c = baton_compression_detect(in.data, in.size);
	if (!(flags & BATON_IMAGE_DECOMPRESS) || c == BATON_COMPRESSION_NONE) {
		*f = in;
		return 0;
	}
	rc = unpack(f, in.data, in.size, c, max, in.mapped, what, path, err);
	baton_file_free(&in);
	return rc;
}
