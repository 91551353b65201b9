/* SPDX-License-Identifier: MIT */
/*
 * The multi-call binary: every applet is `int NAME_main(int argc, char **argv)`, picked by the
 * basename of argv[0] (or by argv[1] when invoked as "box").
 */
#ifndef USER_BOX_H
#define USER_BOX_H

int init_main(int argc, char **argv);
int sh_main(int argc, char **argv);
int echo_main(int argc, char **argv);
int cat_main(int argc, char **argv);
int ls_main(int argc, char **argv);
int mkdir_main(int argc, char **argv);
int rmdir_main(int argc, char **argv);
int rm_main(int argc, char **argv);
int kill_main(int argc, char **argv);
int sleep_main(int argc, char **argv);
int true_main(int argc, char **argv);
int false_main(int argc, char **argv);
int pwd_main(int argc, char **argv);
int wc_main(int argc, char **argv);
int uname_main(int argc, char **argv);
int env_main(int argc, char **argv);
int yes_main(int argc, char **argv);
int head_main(int argc, char **argv);
int touch_main(int argc, char **argv);
int su_main(int argc, char **argv);
int id_main(int argc, char **argv);

/* "prog: what: strerror(errno)" on stderr, in one write. */
void box_perror(const char *prog, const char *what);

/* write() all of buf, retrying short writes; 0 or -1 with errno. */
int box_write_all(int fd, const void *buf, size_t len);

#endif
