/* One baton at a time: loads, unloads and execs serialize on a lock file. */
#ifndef BATON_CLI_LOCK_H
#define BATON_CLI_LOCK_H

/* Take ROOT/run/baton.lock (waiting for another baton to finish); returns the descriptor to
 * keep open, or -1 when no lock file can be made (then run unlocked: nothing else to do). */
int cli_lock(const char *root);
void cli_unlock(int fd);

#endif
