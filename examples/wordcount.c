// wordcount: a small WASI program that reads, lists and writes files in its directory.
//
//   wordcount [DIR]          (DIR defaults to /data)
//
// Lists DIR, counts the lines, words and bytes of every text file in it (.txt, .md, .c),
// prints a table sorted by name, and writes the same table to DIR/report.txt.
// Exit status: 0 on success, 1 if DIR cannot be listed, 2 if a file cannot be read,
// 3 if the report cannot be written.
//
// Build: clang-19 --target=wasm32-wasi --sysroot=/usr -O2 -fuse-ld=lld -Wl,--strip-debug \
//          -o wordcount.wasm wordcount.c
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES 256
#define REPORT "report.txt"

struct counts {
  char name[256];
  long lines, words, bytes;
};

static int is_text(const char *name) {
  const char *dot = strrchr(name, '.');
  return dot && (!strcmp(dot, ".txt") || !strcmp(dot, ".md") || !strcmp(dot, ".c"));
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const struct counts *)a)->name, ((const struct counts *)b)->name);
}

static int count_file(const char *path, struct counts *c) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  int ch, in_word = 0;
  while ((ch = fgetc(f)) != EOF) {
    c->bytes++;
    if (ch == '\n') c->lines++;
    if (isspace(ch)) in_word = 0;
    else if (!in_word) { in_word = 1; c->words++; }
  }
  fclose(f);
  return 0;
}

static void print_table(FILE *out, const struct counts *files, int n) {
  long lines = 0, words = 0, bytes = 0;
  fprintf(out, "%8s %8s %8s  %s\n", "lines", "words", "bytes", "file");
  for (int i = 0; i < n; i++) {
    fprintf(out, "%8ld %8ld %8ld  %s\n", files[i].lines, files[i].words, files[i].bytes, files[i].name);
    lines += files[i].lines, words += files[i].words, bytes += files[i].bytes;
  }
  fprintf(out, "%8ld %8ld %8ld  total (%d files)\n", lines, words, bytes, n);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "/data";
  static struct counts files[MAX_FILES];
  int n = 0, skipped = 0;
  char path[1024];

  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "wordcount: cannot list %s: %s\n", dir, strerror(errno));
    return 1;
  }
  struct dirent *e;
  while ((e = readdir(d)) && n < MAX_FILES) {
    if (e->d_type != DT_REG) continue;
    if (!is_text(e->d_name) || !strcmp(e->d_name, REPORT)) { skipped++; continue; }
    snprintf(files[n].name, sizeof files[n].name, "%s", e->d_name);
    n++;
  }
  closedir(d);
  qsort(files, n, sizeof files[0], by_name);

  for (int i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
    if (count_file(path, &files[i]) != 0) {
      fprintf(stderr, "wordcount: cannot read %s: %s\n", path, strerror(errno));
      return 2;
    }
  }
  print_table(stdout, files, n);
  printf("(%d other files skipped)\n", skipped);

  snprintf(path, sizeof path, "%s/%s", dir, REPORT);
  FILE *report = fopen(path, "w");
  if (!report) {
    fprintf(stderr, "wordcount: cannot write %s: %s\n", path, strerror(errno));
    return 3;
  }
  print_table(report, files, n);
  fclose(report);
  printf("wrote %s\n", path);
  return 0;
}
