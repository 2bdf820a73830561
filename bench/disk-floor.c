/*
 * disk-floor.c — what one commit costs on the disk under a directory, made
 * the way LMDB 0.9 makes it with the flags DESIGN.md §6 allows: a pwrite
 * per dirty page, fdatasync, then the meta page through a descriptor
 * opened O_DSYNC. bench/run-intake runs it beside the store and sets the
 * result against what the writer did, so a reader of the benchmark sees
 * how much of the gap to the ceiling is the disk on that machine.
 *
 *   disk-floor [-d DIR] [-s SIZE] [-r ROUNDS]
 *
 * A file of SIZE (default 64M; run-intake passes the store's size) is made
 * in DIR and unlinked at once, so nothing is left behind. Then, ROUNDS
 * times (default 40), a commit of N pages for each N of disk_pages[]:
 * "scattered", N single pages at random page offsets in ascending order
 * (LMDB reuses freed pages, and those lie all over the file: no two of a
 * commit's pages are adjacent under random keys), and "contiguous", the
 * same N pages in one run (writev of up to 64 pages, as LMDB writes
 * adjacent dirty pages), for comparison. The floor is the median commit
 * of no page (the two syncs alone); the cost of one more page is the
 * slope of the least-squares line through each N's median.
 *
 * Output: a table, then one line
 *   RESULT {"floor_ms": F, "page_us": P, "contig_page_us": C, ...}
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"

#define DISK_PAGE	4096
/* LMDB's MDB_COMMIT_PAGES: adjacent dirty pages per writev. */
#define DISK_RUN_MAX	64
/* The changed part of an LMDB meta page that mdb_env_write_meta writes. */
#define DISK_META_BYTES	136

static const unsigned disk_pages[] = { 0, 10, 25, 50, 100, 200 };
#define DISK_NPOINTS	(sizeof(disk_pages) / sizeof(disk_pages[0]))
#define DISK_PAGES_MAX	200

struct disk {
	int		 d_fd;		/* data: written, then fdatasync */
	int		 d_mfd;		/* meta: O_DSYNC, as LMDB's me_mfd */
	uint64_t	 d_npages;	/* pages in the file */
	uint64_t	 d_rng;		/* xorshift state: no secret here */
	unsigned char	*d_buf;		/* DISK_RUN_MAX pages of filler */
};

static uint64_t
disk_random(struct disk *d)
{
	d->d_rng ^= d->d_rng << 13;
	d->d_rng ^= d->d_rng >> 7;
	d->d_rng ^= d->d_rng << 17;
	return d->d_rng;
}

static double
disk_now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
disk_cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int
disk_cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
disk_pwrite(int fd, const void *buf, size_t len, uint64_t off)
{
	ssize_t	n;

	if ((n = pwrite(fd, buf, len, (off_t)off)) < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* Fill the file so that every page exists on disk before the rounds. */
static int
disk_fill(struct disk *d)
{
	uint64_t	pg;
	int		rc;

	for (pg = 0; pg < d->d_npages; pg += DISK_RUN_MAX)
		if ((rc = disk_pwrite(d->d_fd, d->d_buf,
		    (size_t)DISK_RUN_MAX * DISK_PAGE, pg * DISK_PAGE)) != 0)
			return rc;
	return fsync(d->d_fd) == 0 ? 0 : -errno;
}

/*
 * One commit of n pages, timed in microseconds. Pages 0 and 1 are the
 * meta pages, as in LMDB, and never among the data pages.
 */
static int
disk_commit(struct disk *d, unsigned n, int contiguous, double *us_out)
{
	uint64_t	pgs[DISK_PAGES_MAX], first;
	struct iovec	iov[DISK_RUN_MAX];
	double		t0;
	unsigned	i, k;
	ssize_t		w;
	int		rc;

	if (contiguous) {
		first = 2 + disk_random(d) % (d->d_npages - 2 - n);
		for (i = 0; i < n; i++)
			pgs[i] = first + i;
	} else {
		for (i = 0; i < n; i++)
			pgs[i] = 2 + disk_random(d) % (d->d_npages - 2);
		qsort(pgs, n, sizeof(pgs[0]), disk_cmp_u64);
	}
	t0 = disk_now_us();
	for (i = 0; i < n; i += k) {
		if (!contiguous) {
			k = 1;
			if ((rc = disk_pwrite(d->d_fd, d->d_buf, DISK_PAGE,
			    pgs[i] * DISK_PAGE)) != 0)
				return rc;
			continue;
		}
		k = n - i < DISK_RUN_MAX ? n - i : DISK_RUN_MAX;
		for (unsigned j = 0; j < k; j++) {
			iov[j].iov_base = d->d_buf + (size_t)j * DISK_PAGE;
			iov[j].iov_len = DISK_PAGE;
		}
		w = pwritev(d->d_fd, iov, (int)k, (off_t)(pgs[i] * DISK_PAGE));
		if (w < 0)
			return -errno;
		if ((size_t)w != (size_t)k * DISK_PAGE)
			return -EIO;
	}
	if (fdatasync(d->d_fd) != 0)
		return -errno;
	/* LMDB alternates its two meta pages, one per transaction. */
	if ((rc = disk_pwrite(d->d_mfd, d->d_buf, DISK_META_BYTES,
	    (d->d_rng & 1) * DISK_PAGE)) != 0)
		return rc;
	*us_out = disk_now_us() - t0;
	return 0;
}

/* The slope of the least-squares line through (x, y). */
static double
disk_slope(const double *x, const double *y, size_t n)
{
	double	sx = 0, sy = 0, sxx = 0, sxy = 0, den;
	size_t	i;

	for (i = 0; i < n; i++) {
		sx += x[i];
		sy += y[i];
		sxx += x[i] * x[i];
		sxy += x[i] * y[i];
	}
	den = (double)n * sxx - sx * sx;
	return den != 0 ? ((double)n * sxy - sx * sy) / den : 0;
}

static void
disk_usage(void)
{
	fprintf(stderr, "usage: disk-floor [-d DIR] [-s SIZE] [-r ROUNDS]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct disk	 d = { .d_fd = -1, .d_mfd = -1,
			     .d_rng = 0x9e3779b97f4a7c15ULL };
	const char	*dir = ".";
	char		 path[4096];
	uint64_t	 size = 64ULL << 20;
	long long	 rounds = 40;
	double		*t[2][DISK_NPOINTS] = { { NULL } };
	double		 x[DISK_NPOINTS], y[2][DISK_NPOINTS];
	size_t		 p, m;
	long long	 r;
	int		 ch, rc, ret = 1;

	while ((ch = getopt(argc, argv, "d:r:s:")) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'r':
			if (util_parse_ll(optarg, 3, 100000, &rounds) != 0)
				disk_usage();
			break;
		case 's':
			if (util_parse_size(optarg, 4ULL << 20, 1ULL << 40,
			    &size) != 0)
				disk_usage();
			break;
		default:
			disk_usage();
		}
	}
	if (optind != argc)
		disk_usage();
	d.d_npages = size / DISK_PAGE;
	if (util_snprintf(path, sizeof(path), "%s/disk-floor.XXXXXX",
	    dir) != 0) {
		fprintf(stderr, "disk-floor: %s: path too long\n", dir);
		goto done;
	}
	if ((d.d_fd = mkstemp(path)) == -1 ||
	    (d.d_mfd = open(path, O_RDWR | O_DSYNC | O_CLOEXEC)) == -1) {
		fprintf(stderr, "disk-floor: %s: %s\n", path, strerror(errno));
		if (d.d_fd != -1)
			unlink(path);
		goto done;
	}
	unlink(path);
	if ((d.d_buf = aligned_alloc(DISK_PAGE,
	    (size_t)DISK_RUN_MAX * DISK_PAGE)) == NULL)
		goto done;
	memset(d.d_buf, 0x5a, (size_t)DISK_RUN_MAX * DISK_PAGE);
	for (m = 0; m < 2; m++)
		for (p = 0; p < DISK_NPOINTS; p++)
			if ((t[m][p] = calloc((size_t)rounds,
			    sizeof(double))) == NULL)
				goto done;
	if ((rc = disk_fill(&d)) != 0) {
		fprintf(stderr, "disk-floor: fill: %s\n", strerror(-rc));
		goto done;
	}
	/* Interleaved, so that a change in the machine's load hits all. */
	for (r = 0; r < rounds; r++)
		for (p = 0; p < DISK_NPOINTS; p++)
			for (m = 0; m < 2; m++)
				if ((rc = disk_commit(&d, disk_pages[p], (int)m,
				    &t[m][p][r])) != 0) {
					fprintf(stderr, "disk-floor: %s\n",
					    strerror(-rc));
					goto done;
				}
	printf("disk-floor: %lld commits of each size in a %llu MiB file "
	    "under %s (medians, ms)\n", rounds,
	    (unsigned long long)(size >> 20), dir);
	printf("%8s %11s %11s\n", "pages", "scattered", "contiguous");
	for (p = 0; p < DISK_NPOINTS; p++) {
		x[p] = disk_pages[p];
		for (m = 0; m < 2; m++) {
			qsort(t[m][p], (size_t)rounds, sizeof(double),
			    disk_cmp_double);
			y[m][p] = t[m][p][rounds / 2];
		}
		printf("%8u %11.3f %11.3f\n", disk_pages[p], y[0][p] / 1e3,
		    y[1][p] / 1e3);
	}
	printf("RESULT {\"floor_ms\": %.3f, \"page_us\": %.1f, "
	    "\"contig_page_us\": %.1f, \"file_mib\": %llu, \"rounds\": %lld}\n",
	    y[0][0] / 1e3, disk_slope(x, y[0], DISK_NPOINTS),
	    disk_slope(x, y[1], DISK_NPOINTS), (unsigned long long)(size >> 20),
	    rounds);
	ret = 0;
done:
	for (m = 0; m < 2; m++)
		for (p = 0; p < DISK_NPOINTS; p++)
			free(t[m][p]);
	free(d.d_buf);
	if (d.d_mfd != -1)
		close(d.d_mfd);
	if (d.d_fd != -1)
		close(d.d_fd);
	return ret;
}
