// WASI host cost of file system calls: each round opens, reads and closes a file, stats a path
// two directories down, creates and removes a directory, and lists a directory of 100 entries.
// usage: fsops.wasm ROUNDS   (the benchmark preopens a prepared directory as /data)
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 1000;
  char buf[256];
  long total = 0;
  for (int i = 0; i < rounds; i++) {
    int fd = open("/data/a/b/file.txt", O_RDONLY);
    if (fd < 0) return perror("open"), 1;
    total += read(fd, buf, sizeof buf);
    close(fd);
    struct stat st;
    if (stat("/data/a/b/file.txt", &st) != 0) return perror("stat"), 1;
    total += st.st_size;
    if (mkdir("/data/tmpdir", 0755) != 0 || rmdir("/data/tmpdir") != 0) return perror("mkdir"), 1;
    DIR *d = opendir("/data/many");
    if (!d) return perror("opendir"), 1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) total++;
    closedir(d);
  }
  printf("%ld\n", total);
  return 0;
}
