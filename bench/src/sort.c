// Sorting benchmark: recursive quicksort (median of three, insertion sort for short ranges) of an
// i32 array of `n` pseudo-random elements. The checksum mixes the sorted values with their
// positions and adds a large penalty if the result is not actually sorted.

#define MAX_N (1 << 20)

static int data[MAX_N];

static void insertion_sort(int *a, int lo, int hi) {
  for (int i = lo + 1; i <= hi; i++) {
    int v = a[i], j = i - 1;
    while (j >= lo && a[j] > v) a[j + 1] = a[j], j--;
    a[j + 1] = v;
  }
}

static void swap(int *a, int i, int j) {
  int t = a[i];
  a[i] = a[j], a[j] = t;
}

static void quicksort(int *a, int lo, int hi) {
  while (hi - lo > 16) {
    int mid = lo + (hi - lo) / 2;
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    int pivot = a[mid], i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) swap(a, i++, j--);
    }
    // Recurse into the smaller half and loop on the larger one to bound the stack depth.
    if (j - lo < hi - i) {
      quicksort(a, lo, j);
      lo = i;
    } else {
      quicksort(a, i, hi);
      hi = j;
    }
  }
  insertion_sort(a, lo, hi);
}

int run(int n) {
  if (n > MAX_N) n = MAX_N;
  unsigned seed = 2463534242u;
  for (int i = 0; i < n; i++) {
    seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5;
    data[i] = (int)(seed % 2000000) - 1000000;
  }
  quicksort(data, 0, n - 1);
  int checksum = 0;
  for (int i = 0; i < n; i++) {
    checksum = checksum * 31 + data[i];
    if (i > 0 && data[i - 1] > data[i]) checksum += 0x40000000;
  }
  return checksum;
}
