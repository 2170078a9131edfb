/*
 * Mutators of tests/unit/fuzz_ctl.c: a seeded generator (xorshift64*), a
 * growable byte buffer, and three mutators: bytes (bit flips, interesting
 * values, truncation, ranges deleted, duplicated, spliced, huge varints),
 * protobuf (the wire format parsed into a tree of fields; a field duplicated,
 * repeated many times, dropped, renumbered; a varint made huge or out of
 * range; a string given a NUL, made long or empty; a length prefix made
 * wrong) and text (the byte ones, plus NULs, long words, numbers replaced by
 * huge or negative ones, quotes, a line repeated). Header-only, test code.
 */
#ifndef DPVS_TEST_FUZZ_MUT_H
#define DPVS_TEST_FUZZ_MUT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_MAX_LEN (1u << 16)   /* inputs stay below 64 KiB */

struct fz_rng {
	uint64_t s;
};

static inline uint64_t
fz_next(struct fz_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

static inline void
fz_seed(struct fz_rng *r, uint64_t seed)
{
	r->s = seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
	if (r->s == 0)
		r->s = 1;
	fz_next(r);
}

static inline uint32_t
fz_below(struct fz_rng *r, uint32_t n)
{
	return n == 0 ? 0 : (uint32_t)(fz_next(r) % n);
}

struct fz_buf {
	uint8_t *p;
	size_t len, cap;
};

static inline void
fz_buf_reserve(struct fz_buf *b, size_t n)
{
	if (n <= b->cap)
		return;
	b->cap = n < 64 ? 64 : n * 2;
	b->p = realloc(b->p, b->cap);
	if (b->p == NULL) {
		perror("fuzz: realloc");
		exit(EXIT_FAILURE);
	}
}

static inline void
fz_buf_free(struct fz_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static inline void
fz_buf_insert(struct fz_buf *b, size_t pos, const void *src, size_t n)
{
	if (pos > b->len)
		pos = b->len;
	if (n == 0 || b->len + n > FZ_MAX_LEN)
		return;
	fz_buf_reserve(b, b->len + n);
	memmove(b->p + pos + n, b->p + pos, b->len - pos);
	memcpy(b->p + pos, src, n);
	b->len += n;
}

static inline void
fz_buf_append(struct fz_buf *b, const void *src, size_t n)
{
	fz_buf_insert(b, b->len, src, n);
}

static inline void
fz_buf_set(struct fz_buf *b, const void *src, size_t n)
{
	b->len = 0;
	fz_buf_reserve(b, n + 1);
	if (n != 0)
		memcpy(b->p, src, n);
	b->len = n;
}

static inline void
fz_buf_copy(struct fz_buf *dst, const struct fz_buf *src)
{
	fz_buf_set(dst, src->p, src->len);
}

static inline void
fz_buf_erase(struct fz_buf *b, size_t pos, size_t n)
{
	if (pos >= b->len)
		return;
	if (n > b->len - pos)
		n = b->len - pos;
	memmove(b->p + pos, b->p + pos + n, b->len - pos - n);
	b->len -= n;
}

static inline void
fz_buf_random(struct fz_rng *r, struct fz_buf *b, size_t n)
{
	size_t i;

	b->len = 0;
	fz_buf_reserve(b, n + 1);
	for (i = 0; i < n; i++)
		b->p[i] = (uint8_t)fz_next(r);
	b->len = n;
}

/* An exact heap copy of b (no slack after the end: ASan sees an over-read). */
static inline uint8_t *
fz_exact(const struct fz_buf *b)
{
	uint8_t *x = malloc(b->len);

	if (x == NULL && b->len != 0) {
		perror("fuzz: malloc");
		exit(EXIT_FAILURE);
	}
	if (b->len != 0)
		memcpy(x, b->p, b->len);
	return x;
}

static inline size_t
fz_varint(uint8_t *out, uint64_t v)
{
	size_t n = 0;

	do {
		out[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v != 0);
	return n;
}

static const uint64_t fz_interesting[] = {
	0, 1, 2, 7, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
	0xffffffff, 0x100000000ull, 0x7fffffffffffffffull, 0xffffffffffffffffull,
	0xffffffff80000000ull, /* -2^31 as an int32 field sends it */
};
#define FZ_NINTERESTING (sizeof(fz_interesting) / sizeof(fz_interesting[0]))

static inline uint64_t
fz_number(struct fz_rng *r)
{
	return fz_below(r, 4) == 0 ? fz_next(r) >> fz_below(r, 64)
				    : fz_interesting[fz_below(r, FZ_NINTERESTING)];
}

/* One byte-level mutation. other: a buffer to splice from (or NULL). */
static inline void
fz_mutate_byte_once(struct fz_rng *r, struct fz_buf *b, const struct fz_buf *other)
{
	static const uint8_t vals[] = { 0, 1, 0x0a, 0x20, 0x7f, 0x80, 0xff, 0x22, 0x5c };
	uint8_t tmp[16];
	size_t pos = fz_below(r, (uint32_t)b->len + 1), n, i;

	switch (fz_below(r, 8)) {
	case 0:
		if (b->len)
			b->p[pos % b->len] ^= (uint8_t)(1u << fz_below(r, 8));
		break;
	case 1:
		if (b->len)
			b->p[pos % b->len] = vals[fz_below(r, sizeof(vals))];
		break;
	case 2:
		b->len = pos;
		break;
	case 3:
		fz_buf_erase(b, pos, 1 + fz_below(r, 16));
		break;
	case 4: /* a range again, at another place */
		if (b->len) {
			size_t from = fz_below(r, (uint32_t)b->len);
			uint8_t *cp;

			n = 1 + fz_below(r, (uint32_t)(b->len - from));
			cp = malloc(n);
			memcpy(cp, b->p + from, n);
			fz_buf_insert(b, pos, cp, n);
			free(cp);
		}
		break;
	case 5:
		n = 1 + fz_below(r, sizeof(tmp));
		for (i = 0; i < n; i++)
			tmp[i] = (uint8_t)fz_next(r);
		fz_buf_insert(b, pos, tmp, n);
		break;
	case 6:
		n = fz_varint(tmp, fz_number(r));
		fz_buf_insert(b, pos, tmp, n);
		break;
	default:
		if (other != NULL && other->len) {
			size_t from = fz_below(r, (uint32_t)other->len);

			n = 1 + fz_below(r, (uint32_t)(other->len - from));
			fz_buf_insert(b, pos, other->p + from, n);
		}
		break;
	}
}

static inline void
fz_mutate_bytes(struct fz_rng *r, struct fz_buf *b, unsigned int nops, const struct fz_buf *other)
{
	while (nops-- > 0)
		fz_mutate_byte_once(r, b, other);
}

/* ---- protobuf: the wire format as a tree of fields */
struct fz_pbf {
	uint64_t key;            /* field number << 3 | wire type */
	uint64_t v;              /* varint */
	struct fz_buf data;      /* length-delimited / fixed payload */
	struct fz_pbf *kids;     /* a payload that parses as a message */
	size_t nkids;
	int64_t lendelta;        /* the length prefix sent = real + lendelta */
};

static inline void
fz_pbf_free_list(struct fz_pbf *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		fz_buf_free(&v[i].data);
		fz_pbf_free_list(v[i].kids, v[i].nkids);
	}
	free(v);
}

static inline int
fz_get_varint(const uint8_t *p, size_t len, size_t *off, uint64_t *v)
{
	unsigned int shift = 0;

	*v = 0;
	while (*off < len && shift < 64) {
		uint8_t c = p[(*off)++];

		*v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return 0;
		shift += 7;
	}
	return -1;
}

/* Parse p[0..len) into fields; 0 or -1 (not a message). */
static inline int
fz_pb_parse(const uint8_t *p, size_t len, int depth, struct fz_pbf **out, size_t *nout)
{
	struct fz_pbf *v = NULL, *f;
	size_t n = 0, off = 0, dlen;

	while (off < len) {
		v = realloc(v, sizeof(*v) * (n + 1));
		f = &v[n];
		memset(f, 0, sizeof(*f));
		n++;
		if (fz_get_varint(p, len, &off, &f->key) != 0 || (f->key >> 3) == 0)
			goto bad;
		switch (f->key & 7) {
		case 0:
			if (fz_get_varint(p, len, &off, &f->v) != 0)
				goto bad;
			break;
		case 1:
		case 5:
			dlen = (f->key & 7) == 1 ? 8 : 4;
			if (len - off < dlen)
				goto bad;
			fz_buf_set(&f->data, p + off, dlen);
			off += dlen;
			break;
		case 2:
			if (fz_get_varint(p, len, &off, &f->v) != 0 || f->v > len - off)
				goto bad;
			fz_buf_set(&f->data, p + off, (size_t)f->v);
			off += (size_t)f->v;
			if (depth < 8 && f->data.len > 0 &&
			    fz_pb_parse(f->data.p, f->data.len, depth + 1, &f->kids, &f->nkids) != 0)
				f->kids = NULL, f->nkids = 0;
			break;
		default:
			goto bad;
		}
	}
	*out = v;
	*nout = n;
	return 0;
bad:
	fz_pbf_free_list(v, n);
	return -1;
}

static inline void
fz_pb_write(struct fz_buf *b, const struct fz_pbf *v, size_t n)
{
	uint8_t tmp[10];
	size_t i;

	for (i = 0; i < n; i++) {
		const struct fz_pbf *f = &v[i];

		fz_buf_append(b, tmp, fz_varint(tmp, f->key));
		switch (f->key & 7) {
		case 0:
			fz_buf_append(b, tmp, fz_varint(tmp, f->v));
			break;
		case 2: {
			struct fz_buf sub = { 0 };

			if (f->kids != NULL)
				fz_pb_write(&sub, f->kids, f->nkids);
			else
				fz_buf_copy(&sub, &f->data);
			fz_buf_append(b, tmp, fz_varint(tmp, (uint64_t)sub.len + (uint64_t)f->lendelta));
			fz_buf_append(b, sub.p, sub.len);
			fz_buf_free(&sub);
			break;
		}
		default:
			fz_buf_append(b, f->data.p, f->data.len);
			break;
		}
	}
}

/* Every field of the tree: the list holding it and its index. */
struct fz_pbref {
	struct fz_pbf **list;
	size_t *n, i;
};

static inline void
fz_pb_collect(struct fz_pbf **list, size_t *n, struct fz_pbref *refs, size_t *nrefs, size_t max)
{
	size_t i;

	for (i = 0; i < *n && *nrefs < max; i++) {
		refs[(*nrefs)++] = (struct fz_pbref){ list, n, i };
		if ((*list)[i].kids != NULL)
			fz_pb_collect(&(*list)[i].kids, &(*list)[i].nkids, refs, nrefs, max);
	}
}

static inline void
fz_pbf_clone(struct fz_pbf *dst, const struct fz_pbf *src)
{
	size_t i;

	*dst = *src;
	memset(&dst->data, 0, sizeof(dst->data));
	fz_buf_copy(&dst->data, &src->data);
	if (src->kids != NULL) {
		dst->kids = malloc(sizeof(*dst->kids) * (src->nkids ? src->nkids : 1));
		for (i = 0; i < src->nkids; i++)
			fz_pbf_clone(&dst->kids[i], &src->kids[i]);
	}
}

/* Insert count clones of (*list)[i] right after it. */
static inline void
fz_pb_repeat(struct fz_pbf **list, size_t *n, size_t i, size_t count)
{
	size_t k;

	*list = realloc(*list, sizeof(**list) * (*n + count));
	memmove(&(*list)[i + 1 + count], &(*list)[i + 1], sizeof(**list) * (*n - i - 1));
	for (k = 0; k < count; k++)
		fz_pbf_clone(&(*list)[i + 1 + k], &(*list)[i]);
	*n += count;
}

static inline void
fz_pb_mutate_field(struct fz_rng *r, struct fz_pbref ref)
{
	struct fz_pbf *f = &(*ref.list)[ref.i];
	size_t k, n;

	switch (fz_below(r, 9)) {
	case 0: /* the field twice */
		fz_pb_repeat(ref.list, ref.n, ref.i, 1);
		break;
	case 1: /* many times: a huge count */
		fz_pb_repeat(ref.list, ref.n, ref.i, 16 + fz_below(r, 2000));
		break;
	case 2: /* dropped */
		fz_buf_free(&f->data);
		fz_pbf_free_list(f->kids, f->nkids);
		memmove(f, f + 1, sizeof(*f) * (*ref.n - ref.i - 1));
		(*ref.n)--;
		break;
	case 3: /* another field number, or wire type */
		if (fz_below(r, 2))
			f->key = (fz_number(r) % 40 + 1) << 3 | (f->key & 7);
		else
			f->key = (f->key & ~7ull) | fz_below(r, 6);
		break;
	case 4: /* a wrong length prefix */
		if ((f->key & 7) == 2)
			f->lendelta = fz_below(r, 2) ? (int64_t)fz_number(r) : -1 - (int64_t)fz_below(r, 4);
		break;
	default:
		if ((f->key & 7) == 0) {         /* out-of-range enums and numbers */
			f->v = fz_number(r);
		} else if (f->kids == NULL || f->nkids == 0 || fz_below(r, 4) == 0) {
			fz_pbf_free_list(f->kids, f->nkids);
			f->kids = NULL;
			f->nkids = 0;
			k = fz_below(r, 4);
			if (k == 0 && f->data.len) {            /* a NUL inside */
				f->data.p[fz_below(r, (uint32_t)f->data.len)] = 0;
			} else if (k == 1) {                    /* long */
				n = 1 + fz_below(r, fz_below(r, 2) ? 300 : 8000);
				fz_buf_reserve(&f->data, n);
				memset(f->data.p, fz_below(r, 2) ? 'A' : '9', n);
				f->data.len = n;
			} else if (k == 2) {
				f->data.len = 0;
			} else {
				fz_mutate_bytes(r, &f->data, 1, NULL);
			}
		} else {
			fz_pb_mutate_field(r, (struct fz_pbref){ &f->kids, &f->nkids,
							     fz_below(r, (uint32_t)f->nkids) });
		}
		break;
	}
}

/* nops protobuf mutations; a buffer that does not parse gets byte ones. */
static inline void
fz_mutate_pb(struct fz_rng *r, struct fz_buf *b, unsigned int nops)
{
	struct fz_pbref refs[512];
	struct fz_pbf *top;
	size_t ntop, nrefs;

	if (fz_pb_parse(b->p, b->len, 0, &top, &ntop) != 0 || ntop == 0) {
		fz_mutate_bytes(r, b, nops, NULL);
		return;
	}
	while (nops-- > 0) {
		nrefs = 0;
		fz_pb_collect(&top, &ntop, refs, &nrefs, 512);
		if (nrefs == 0)
			break;
		fz_pb_mutate_field(r, refs[fz_below(r, (uint32_t)nrefs)]);
	}
	b->len = 0;
	fz_pb_write(b, top, ntop);
	fz_pbf_free_list(top, ntop);
}

/* ---- text */
static inline void
fz_mutate_text_once(struct fz_rng *r, struct fz_buf *b)
{
	static const char *const nums[] = {
		"0", "-1", "65535", "65536", "256", "4294967295", "4294967296", "2147483648",
		"18446744073709551615", "18446744073709551616", "99999999999999999999999999",
		"0x10", "1e9", "1.5", "-0", "+7", "010", "",
	};
	static const char *const bits[] = { "\"", "\\", "'", "#", ";", "[", "]", "=", ":", "/",
					    ",", "\t", "\n", " " };
	size_t pos = fz_below(r, (uint32_t)b->len + 1), n, s, e;
	uint8_t c;

	switch (fz_below(r, 14)) {
	case 0: /* (rarely: a NUL stops a file at once) */
		c = 0;
		fz_buf_insert(b, pos, &c, 1);
		break;
	case 1: { /* a long word */
		char *w;

		n = 1 + fz_below(r, fz_below(r, 2) ? 300 : 6000);
		w = malloc(n);
		memset(w, fz_below(r, 2) ? 'a' : '7', n);
		fz_buf_insert(b, pos, w, n);
		free(w);
		break;
	}
	case 2:
	case 3: /* a number replaced */
		for (s = pos; s < b->len && !(b->p[s] >= '0' && b->p[s] <= '9'); s++)
			;
		for (e = s; e < b->len && b->p[e] >= '0' && b->p[e] <= '9'; e++)
			;
		if (s < b->len) {
			const char *x = nums[fz_below(r, sizeof(nums) / sizeof(nums[0]))];

			fz_buf_erase(b, s, e - s);
			fz_buf_insert(b, s, x, strlen(x));
		}
		break;
	case 4: {
		const char *x = bits[fz_below(r, sizeof(bits) / sizeof(bits[0]))];

		fz_buf_insert(b, pos, x, strlen(x));
		break;
	}
	case 5: /* a line again */
		for (s = pos; s > 0 && b->p[s - 1] != '\n'; s--)
			;
		for (e = pos; e < b->len && b->p[e] != '\n'; e++)
			;
		if (e < b->len)
			e++;
		if (e > s) {
			uint8_t *cp = malloc(e - s);

			memcpy(cp, b->p + s, e - s);
			n = fz_below(r, 4) == 0 ? 50 + fz_below(r, 500) : 1;
			while (n-- > 0)
				fz_buf_insert(b, e, cp, e - s);
			free(cp);
		}
		break;
	default:
		fz_mutate_byte_once(r, b, NULL);
		break;
	}
}

static inline void
fz_mutate_text(struct fz_rng *r, struct fz_buf *b, unsigned int nops)
{
	while (nops-- > 0)
		fz_mutate_text_once(r, b);
}

#endif
