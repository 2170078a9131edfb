/*
 * Unit tests for the stale-state paths of dpvs-primary (primary/stale.c):
 * pid files, DPDK's runtime directory, hugepage files, the config lock and
 * leftover secondaries, all on a temporary directory and with processes this
 * test starts itself. No EAL.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "primary/stale.h"

static char tmp[64];

static void
setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/test_primary_stale.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	ck_assert_int_eq(system(cmd), 0);
}

static void
touch(const char *dir, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("x\n", f);
	fclose(f);
}

static int
exists(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static char *
sub(const char *name)
{
	static char path[4][256];
	static int k;
	char *p = path[k++ & 3];

	snprintf(p, 256, "%s/%s", tmp, name);
	return p;
}

START_TEST(test_pid_file_round_trip)
{
	ck_assert_int_eq(stale_write_pid(tmp, "worker3", 4242), 0);
	ck_assert_int_eq(stale_read_pid(sub("worker3.pid")), 4242);
	ck_assert_int_eq(stale_read_pid(sub("missing.pid")), 0);
	touch(tmp, "junk.pid");
	ck_assert_int_eq(stale_read_pid(sub("junk.pid")), 0);
}
END_TEST

START_TEST(test_remove_runtime)
{
	ck_assert_int_eq(mkdir(sub("pfx"), 0755), 0);
	ck_assert_int_eq(mkdir(sub("pfx/sub"), 0755), 0);
	ck_assert_int_eq(mkdir(sub("pfx2"), 0755), 0);
	touch(sub("pfx"), "config");
	touch(sub("pfx"), "mp_socket");
	touch(sub("pfx/sub"), "fbarray_memseg-2048k-0-0");
	touch(sub("pfx2"), "config");
	ck_assert_int_eq(stale_remove_runtime(tmp, "pfx"), 5);
	ck_assert(!exists(tmp, "pfx"));
	ck_assert(exists(sub("pfx2"), "config"));
	ck_assert_int_eq(stale_remove_runtime(tmp, "pfx"), 0);
	ck_assert_int_lt(stale_remove_runtime(tmp, ".."), 0);
	ck_assert_int_lt(stale_remove_runtime(tmp, "a/b"), 0);
	ck_assert_int_lt(stale_remove_runtime(tmp, ""), 0);
}
END_TEST

START_TEST(test_remove_hugefiles)
{
	char mounts[1024];
	FILE *f;

	ck_assert_int_eq(mkdir(sub("huge"), 0755), 0);
	ck_assert_int_eq(mkdir(sub("tmpfs"), 0755), 0);
	snprintf(mounts, sizeof(mounts),
		 "proc /proc proc rw 0 0\n"
		 "nodev %s hugetlbfs rw,relatime,pagesize=2M 0 0\n"
		 "tmpfs %s tmpfs rw 0 0\n", sub("huge"), sub("tmpfs"));
	f = fopen(sub("mounts"), "w");
	ck_assert_ptr_nonnull(f);
	fputs(mounts, f);
	fclose(f);
	touch(sub("huge"), "nodeAmap_0");
	touch(sub("huge"), "nodeAmap_17");
	touch(sub("huge"), "nodeA2map_0");
	touch(sub("huge"), "nodeB");
	touch(sub("tmpfs"), "nodeAmap_0");
	ck_assert_int_eq(stale_remove_hugefiles(sub("mounts"), "nodeA"), 2);
	ck_assert(!exists(sub("huge"), "nodeAmap_0"));
	ck_assert(!exists(sub("huge"), "nodeAmap_17"));
	ck_assert(exists(sub("huge"), "nodeA2map_0"));
	ck_assert(exists(sub("huge"), "nodeB"));
	ck_assert(exists(sub("tmpfs"), "nodeAmap_0"));
	ck_assert_int_eq(stale_remove_hugefiles(sub("nomounts"), "nodeA"), 0);
}
END_TEST

START_TEST(test_remove_run_files)
{
	touch(tmp, "primary.pid");
	touch(tmp, "worker0.pid");
	touch(tmp, "ctl.sock");
	touch(tmp, "keep.txt");
	ck_assert_int_eq(stale_remove_run_files(tmp), 3);
	ck_assert(exists(tmp, "keep.txt"));
	ck_assert(!exists(tmp, "worker0.pid"));
	ck_assert(!exists(tmp, "ctl.sock"));
}
END_TEST

/* A child that write-locks <tmp>/pfx/config the way DPDK's primary does and
 * waits until it is killed. Returns its pid once the lock is held. */
static pid_t
lock_holder(void)
{
	int sync[2];
	char c;
	pid_t pid;

	ck_assert_int_eq(pipe(sync), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 64 };
		int fd = open(sub("pfx/config"), O_RDWR);

		if (fd < 0 || fcntl(fd, F_SETLK, &fl) != 0)
			_exit(1);
		if (write(sync[1], "k", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(sync[1]);
	ck_assert_int_eq(read(sync[0], &c, 1), 1);
	close(sync[0]);
	return pid;
}

START_TEST(test_config_lock_and_live_primary)
{
	char why[512] = "";
	pid_t holder;
	int status;

	ck_assert_int_eq(mkdir(sub("pfx"), 0755), 0);
	touch(sub("pfx"), "config");
	ck_assert_int_eq(stale_config_lock_owner(tmp, "pfx"), 0);
	ck_assert_int_eq(stale_config_lock_owner(tmp, "other"), 0);
	/* our own pid in primary.pid is not another primary */
	ck_assert_int_eq(stale_write_pid(tmp, "primary", getpid()), 0);
	ck_assert_int_eq(stale_live_primary(tmp, tmp, "pfx", why, sizeof(why)), 0);

	holder = lock_holder();
	ck_assert_int_eq(stale_config_lock_owner(tmp, "pfx"), holder);
	ck_assert_int_eq(stale_live_primary(tmp, tmp, "pfx", why, sizeof(why)), holder);
	ck_assert_ptr_nonnull(strstr(why, "lock"));
	kill(holder, SIGKILL);
	ck_assert_int_eq(waitpid(holder, &status, 0), holder);
	ck_assert_int_eq(stale_config_lock_owner(tmp, "pfx"), 0);
	ck_assert_int_eq(stale_live_primary(tmp, tmp, "pfx", why, sizeof(why)), 0);
}
END_TEST

/* A process whose command line looks like "dpvs-worker ... --file-prefix P". */
static pid_t
fake_secondary(const char *prefix)
{
	struct timespec ts = { 0, 1000000 };
	char name[64] = "";
	int i, in[2];
	pid_t pid;

	/* the shell waits on a builtin read of a pipe nobody writes: one
	 * process, nothing left behind once it is killed */
	ck_assert_int_eq(pipe(in), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(in[0], 0);
		execl("/bin/sh", "/opt/x/dpvs-worker", "-c", "read x", "--id", "0",
		      "--file-prefix", prefix, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	for (i = 0; i < 5000; i++) {
		if (stale_proc_name(pid, name, sizeof(name)) == 0 &&
		    strcmp(name, "dpvs-worker") == 0)
			return pid;
		nanosleep(&ts, NULL);
	}
	ck_abort_msg("fake secondary did not start (name '%s')", name);
	return -1;
}

START_TEST(test_kill_leftovers)
{
	pid_t mine, other;
	int status;

	mine = fake_secondary("tstale_a");
	other = fake_secondary("tstale_b");
	ck_assert_int_eq(stale_is_secondary_of(mine, "tstale_a"), 1);
	ck_assert_int_eq(stale_is_secondary_of(mine, "tstale_b"), 0);
	ck_assert_int_eq(stale_is_secondary_of(getpid(), "tstale_a"), 0);
	ck_assert_int_eq(stale_write_pid(tmp, "worker0", mine), 0);
	ck_assert_int_eq(stale_kill_leftovers(tmp, "tstale_a"), 1);
	ck_assert_int_eq(waitpid(mine, &status, 0), mine);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* the other node's process is untouched */
	ck_assert_int_eq(waitpid(other, &status, WNOHANG), 0);
	ck_assert_int_eq(stale_is_secondary_of(other, "tstale_b"), 1);
	kill(other, SIGKILL);
	waitpid(other, &status, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("primary_stale");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pid_file_round_trip);
	tcase_add_test(tc, test_remove_runtime);
	tcase_add_test(tc, test_remove_hugefiles);
	tcase_add_test(tc, test_remove_run_files);
	tcase_add_test(tc, test_config_lock_and_live_primary);
	tcase_add_test(tc, test_kill_leftovers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
