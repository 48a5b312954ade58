/* SPDX-License-Identifier: MIT */
/* One baton at a time: loads, unloads and execs serialize on a lock file. */
#ifndef BATON_CLI_LOCK_H
#define BATON_CLI_LOCK_H

/* Take ROOT/run/baton.lock, or without /run ROOT/sys/kernel/kexec_loaded (waiting for another
 * baton to finish); returns the descriptor to keep open, or -1 when neither can be opened. */
int cli_lock(const char *root);
void cli_unlock(int fd);

#endif
