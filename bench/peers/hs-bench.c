/*
 * hs-bench: Hyperscan (libhs, Debian's libhyperscan-dev) on a signature file and a payload
 * file, for bench/peers.ts — the peer measured in the same run as our engines.
 *
 *   gcc -O2 -o /tmp/hs-bench bench/peers/hs-bench.c $(pkg-config --cflags --libs libhs)
 *   /tmp/hs-bench SIGNATURES PAYLOADS set|all PASSES [--dump FILE] [--rejects FILE]
 *       [--known-rejects FILE]
 *
 * SIGNATURES: one Snort-style pcre a line, `/pattern/flags` (a bare pattern is taken as
 *   is); the pattern id is the 0-based line index (blank lines keep their index and are
 *   skipped). Flags: i s m → HS_FLAG_CASELESS / DOTALL / MULTILINE; x → a leading `(?x)`
 *   (Hyperscan has no compile flag for it); A (anchored) → the pattern wrapped as
 *   `\A(?:...)`; E (dollar-endonly, without m) → every `$` outside classes rewritten to `\z`
 *   (patterns where that rewrite is unsure — `\Q` — are skipped and counted); G (ungreedy)
 *   changes no match end, so it is dropped; the Snort buffer flags R U I P H D M C K S Y B O
 *   are ignored (here we measure pattern matching over whole payloads). Every pattern gets
 *   HS_FLAG_ALLOWEMPTY (as our front end, which accepts patterns that match empty).
 * PAYLOADS: records of a u32 little-endian length then that many bytes; each is scanned as
 *   one block (hs_scan, HS_MODE_BLOCK).
 * Mode: set → HS_FLAG_SINGLEMATCH on every pattern (each pattern reported at most once per
 *   payload; Hyperscan does not promise the earliest end), all → every match end.
 *
 * Each pattern is first compiled alone (hs_compile) to find the ones Hyperscan rejects;
 * the accepted ones are compiled together (hs_compile_multi). PASSES passes over all
 * payloads (timed; with --dump, one untimed pass first writes the matches); prints one
 * JSON line:
 *   {"mode","patterns","accepted","rejected","skipped","payloads","bytes","matches",
 *    "compile_ms","seconds_median","mbps"}
 * (matches counted on the first pass; mbps = bytes / median pass, 1 MB = 1e6 bytes).
 * --dump FILE writes every match as `payloadIndex patternLineIndex end` lines
 * (end = offset just past the match's last byte); --rejects FILE writes
 * `patternLineIndex<TAB>reason` for each rejected or skipped pattern; --known-rejects FILE
 * takes such a file from an earlier run on the same signatures instead of the per-pattern
 * compiles (which take about a minute on the 8,500 ET patterns). check_ms in the JSON is the
 * time of that per-pattern pass.
 */
#include <hs/hs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die(const char *msg) {
  fprintf(stderr, "hs-bench: %s\n", msg);
  exit(2);
}

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) die("cannot open input file");
  size_t cap = 1 << 20, n = 0;
  char *buf = malloc(cap + 1);
  size_t r;
  while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
    n += r;
    if (n == cap) {
      cap *= 2;
      buf = realloc(buf, cap + 1);
    }
  }
  fclose(f);
  buf[n] = 0;
  *len = n;
  return buf;
}

/* Pattern prepared for Hyperscan; expr == NULL when skipped (reason set). */
typedef struct {
  int line;
  char *expr;
  unsigned flags;
  const char *reason;
} Pat;

/* `$` outside character classes → `\z` (E without m). Returns NULL when unsure (\Q). */
static char *dollar_endonly(const char *p) {
  size_t n = strlen(p);
  char *out = malloc(2 * n + 1);
  size_t o = 0;
  int in_class = 0;
  for (size_t i = 0; i < n; i++) {
    char c = p[i];
    if (c == '\\') {
      if (p[i + 1] == 'Q') {
        free(out);
        return NULL;
      }
      out[o++] = c;
      if (i + 1 < n) out[o++] = p[++i];
      continue;
    }
    if (in_class) {
      /* `]` right after `[` or `[^` is a literal */
      if (c == ']' && !(p[i - 1] == '[' || (p[i - 1] == '^' && i >= 2 && p[i - 2] == '['))) in_class = 0;
      out[o++] = c;
      continue;
    }
    if (c == '[') in_class = 1;
    if (c == '$') {
      out[o++] = '\\';
      out[o++] = 'z';
      continue;
    }
    out[o++] = c;
  }
  out[o] = 0;
  return out;
}

static void prepare(Pat *pt, const char *src) {
  const char *pat = src;
  size_t plen = strlen(src);
  const char *flags = "";
  if (src[0] == '/') {
    const char *last = strrchr(src, '/');
    if (last == src) {
      pt->reason = "unterminated /pattern/";
      return;
    }
    pat = src + 1;
    plen = (size_t)(last - pat);
    flags = last + 1;
  }
  char *body = malloc(plen + 1);
  memcpy(body, pat, plen);
  body[plen] = 0;
  unsigned f = HS_FLAG_ALLOWEMPTY;
  int anchored = 0, endonly = 0, extended = 0, multiline = 0;
  for (const char *c = flags; *c; c++) {
    switch (*c) {
      case 'i': f |= HS_FLAG_CASELESS; break;
      case 's': f |= HS_FLAG_DOTALL; break;
      case 'm': f |= HS_FLAG_MULTILINE; multiline = 1; break;
      case 'x': extended = 1; break;
      case 'A': anchored = 1; break;
      case 'E': endonly = 1; break;
      case 'G': break;
      default:
        if (!strchr("RUIPHDMCKSYBO", *c)) {
          pt->reason = "unknown flag";
          free(body);
          return;
        }
    }
  }
  if (endonly && !multiline && strchr(body, '$')) {
    char *b2 = dollar_endonly(body);
    free(body);
    if (!b2) {
      pt->reason = "E flag with \\Q (skipped)";
      return;
    }
    body = b2;
  }
  size_t n = strlen(body) + 16;
  char *expr = malloc(n);
  snprintf(expr, n, "%s%s%s%s", anchored ? "\\A(?:" : "", extended ? "(?x)" : "", body, anchored ? ")" : "");
  if (anchored && extended) {
    /* `(?x)` inside the group also scopes to it; a trailing `#` comment would eat `)` */
    if (strchr(body, '#')) {
      pt->reason = "A with x and # (skipped)";
      free(body);
      free(expr);
      return;
    }
  }
  free(body);
  pt->expr = expr;
  pt->flags = f;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

typedef struct {
  uint64_t matches;
  FILE *dump;
  size_t payload;
  const int *line_of; /* hs id → pattern line index */
} Ctx;

static int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags, void *vctx) {
  (void)from;
  (void)flags;
  Ctx *ctx = vctx;
  ctx->matches++;
  if (ctx->dump) fprintf(ctx->dump, "%zu %d %llu\n", ctx->payload, ctx->line_of[id], to);
  return 0;
}

static void json_str(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '\t' || *s == '\n') fputc(' ', f);
    else fputc(*s, f);
  }
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: hs-bench SIGNATURES PAYLOADS set|all PASSES [--dump FILE] [--rejects FILE] [--known-rejects FILE]\n");
    return 2;
  }
  const char *sig_path = argv[1], *pay_path = argv[2], *mode = argv[3];
  int passes = atoi(argv[4]);
  const char *dump_path = NULL, *rejects_path = NULL, *known_path = NULL;
  for (int i = 5; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--dump")) dump_path = argv[i + 1];
    else if (!strcmp(argv[i], "--rejects")) rejects_path = argv[i + 1];
    else if (!strcmp(argv[i], "--known-rejects")) known_path = argv[i + 1];
    else die("unknown option");
  }
  int single = !strcmp(mode, "set");
  if (!single && strcmp(mode, "all")) die("mode must be set or all");
  if (passes < 1) passes = 1;

  /* signatures */
  size_t slen;
  char *stext = read_all(sig_path, &slen);
  int cap = 1024, npat = 0, nlines = 0;
  Pat *pats = calloc(cap, sizeof(Pat));
  for (char *line = stext; line && *line;) {
    char *nl = strchr(line, '\n');
    if (nl) *nl = 0;
    size_t L = strlen(line);
    if (L && line[L - 1] == '\r') line[--L] = 0;
    if (L) {
      if (npat == cap) {
        cap *= 2;
        pats = realloc(pats, cap * sizeof(Pat));
        memset(pats + npat, 0, (cap - npat) * sizeof(Pat));
      }
      pats[npat].line = nlines;
      prepare(&pats[npat], line);
      npat++;
    }
    nlines++;
    line = nl ? nl + 1 : NULL;
  }

  /* payloads */
  size_t plen;
  unsigned char *ptext = (unsigned char *)read_all(pay_path, &plen);
  size_t npay = 0, pcap = 1024, total = 0;
  const unsigned char **pay = malloc(pcap * sizeof *pay);
  unsigned *paylen = malloc(pcap * sizeof *paylen);
  for (size_t off = 0; off + 4 <= plen;) {
    uint32_t n = ptext[off] | ptext[off + 1] << 8 | ptext[off + 2] << 16 | (uint32_t)ptext[off + 3] << 24;
    off += 4;
    if (off + n > plen) die("truncated payload record");
    if (npay == pcap) {
      pcap *= 2;
      pay = realloc(pay, pcap * sizeof *pay);
      paylen = realloc(paylen, pcap * sizeof *paylen);
    }
    pay[npay] = ptext + off;
    paylen[npay++] = n;
    total += n;
    off += n;
  }

  /* per-pattern compile: which ones Hyperscan rejects */
  hs_platform_info_t plat;
  if (hs_populate_platform(&plat) != HS_SUCCESS) die("hs_populate_platform failed");
  FILE *rej = rejects_path ? fopen(rejects_path, "w") : NULL;
  const char **exprs = malloc(npat * sizeof *exprs);
  unsigned *flags = malloc(npat * sizeof *flags);
  unsigned *ids = malloc(npat * sizeof *ids);
  int *line_of = malloc(npat * sizeof *line_of);
  int accepted = 0, rejected = 0, skipped = 0;
  unsigned extra = single ? HS_FLAG_SINGLEMATCH : 0;
  /* --known-rejects: a --rejects file of an earlier run on the same signatures; its
   * patterns are left out without the per-pattern compile (saves a minute on ET) */
  char *known = NULL;
  if (known_path) {
    known = calloc(nlines + 1, 1);
    size_t klen;
    char *k = read_all(known_path, &klen);
    for (char *l = k; l && *l;) {
      int idx = atoi(l);
      char *tab = strchr(l, '\t');
      if (idx >= 0 && idx < nlines) known[idx] = tab && !strncmp(tab + 1, "skipped", 7) ? 2 : 1; /* 1 = rejected */
      char *nl = strchr(l, '\n');
      l = nl ? nl + 1 : NULL;
    }
    free(k);
  }
  double tc = now_s();
  for (int i = 0; i < npat; i++) {
    if (known) {
      char kk = known[pats[i].line];
      if (kk == 2 || (kk == 0 && !pats[i].expr)) {
        skipped++;
        if (rej) fprintf(rej, "%d\tskipped: %s\n", pats[i].line, pats[i].reason ? pats[i].reason : "(earlier run)");
        continue;
      }
      if (kk == 1) {
        rejected++;
        if (rej) fprintf(rej, "%d\t(rejected in an earlier run)\n", pats[i].line);
        continue;
      }
      exprs[accepted] = pats[i].expr;
      flags[accepted] = pats[i].flags | extra;
      ids[accepted] = accepted;
      line_of[accepted] = pats[i].line;
      accepted++;
      continue;
    }
    if (!pats[i].expr) {
      skipped++;
      if (rej) fprintf(rej, "%d\tskipped: %s\n", pats[i].line, pats[i].reason);
      continue;
    }
    hs_database_t *db = NULL;
    hs_compile_error_t *err = NULL;
    if (hs_compile(pats[i].expr, pats[i].flags | extra, HS_MODE_BLOCK, &plat, &db, &err) != HS_SUCCESS) {
      rejected++;
      if (rej) {
        fprintf(rej, "%d\t", pats[i].line);
        json_str(rej, err ? err->message : "?");
        fputc('\n', rej);
      }
      hs_free_compile_error(err);
      continue;
    }
    hs_free_database(db);
    exprs[accepted] = pats[i].expr;
    flags[accepted] = pats[i].flags | extra;
    ids[accepted] = accepted;
    line_of[accepted] = pats[i].line;
    accepted++;
  }
  if (rej) fclose(rej);
  double check_ms = (now_s() - tc) * 1e3;
  if (!accepted) die("no pattern accepted");

  double t0 = now_s();
  hs_database_t *db = NULL;
  hs_compile_error_t *err = NULL;
  if (hs_compile_multi(exprs, flags, ids, accepted, HS_MODE_BLOCK, &plat, &db, &err) != HS_SUCCESS) {
    fprintf(stderr, "hs_compile_multi: %s (expression %d)\n", err ? err->message : "?", err ? err->expression : -1);
    return 2;
  }
  double compile_ms = (now_s() - t0) * 1e3;
  hs_scratch_t *scratch = NULL;
  if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) die("hs_alloc_scratch failed");

  Ctx ctx = {0, NULL, 0, line_of};
  if (dump_path) {
    /* the dump pass is not timed: writing the matches would dominate */
    ctx.dump = fopen(dump_path, "w");
    if (!ctx.dump) die("cannot write dump file");
    for (size_t i = 0; i < npay; i++) {
      ctx.payload = i;
      if (hs_scan(db, (const char *)pay[i], paylen[i], 0, scratch, on_match, &ctx) != HS_SUCCESS) die("hs_scan failed");
    }
    fclose(ctx.dump);
    ctx.dump = NULL;
  }
  double *secs = malloc(passes * sizeof(double));
  uint64_t matches = 0;
  for (int p = 0; p < passes; p++) {
    ctx.matches = 0;
    double t = now_s();
    for (size_t i = 0; i < npay; i++) {
      ctx.payload = i;
      if (hs_scan(db, (const char *)pay[i], paylen[i], 0, scratch, on_match, &ctx) != HS_SUCCESS) die("hs_scan failed");
    }
    secs[p] = now_s() - t;
    if (p == 0) matches = ctx.matches;
  }
  qsort(secs, passes, sizeof(double), cmp_double);
  double med = passes % 2 ? secs[passes / 2] : (secs[passes / 2 - 1] + secs[passes / 2]) / 2;
  printf("{\"mode\":\"%s\",\"patterns\":%d,\"accepted\":%d,\"rejected\":%d,\"skipped\":%d,\"payloads\":%zu,"
         "\"bytes\":%zu,\"matches\":%llu,\"check_ms\":%.0f,\"compile_ms\":%.1f,\"seconds_median\":%.6f,\"mbps\":%.2f}\n",
         mode, npat, accepted, rejected, skipped, npay, total, (unsigned long long)matches, check_ms, compile_ms, med,
         med > 0 ? total / med / 1e6 : 0.0);
  hs_free_scratch(scratch);
  hs_free_database(db);
  return 0;
}
