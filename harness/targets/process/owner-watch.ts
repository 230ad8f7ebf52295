/**
 * Every unit dies with its owner. A unit is started by `/bin/sh` lines that fork a small watcher
 * and then exec the unit's command (so the unit keeps the pid the owner spawned). The watcher
 * blocks reading the unit's stdin, a pipe whose other end only the owner holds: the read ends
 * when the owner closes it (Node does so when the unit exits) or when the owner dies, however it
 * dies (SIGKILL included), since the kernel closes a dead process's files. Node has no
 * prctl(PR_SET_PDEATHSIG); this is the same guarantee without one, and it also reaches the
 * unit's own children.
 *
 * When the read ends the watcher looks at its parent: still the unit, so the owner is gone, and
 * it sends SIGTERM to the unit's process group (or the unit alone when it has no group of its
 * own), then SIGKILL two seconds later; else the unit ended first and there is nothing to do.
 * The watcher keeps stderr open until it ends, so the owner's "process closed" event (which
 * waits for stdio) comes only once the watcher is gone too: nothing outlives a stopped unit.
 *
 * The unit's own stdin is /dev/null, as with stdio 'ignore'.
 */
export const WATCH_OWNER_LINES = [
  'exec 3<&0',
  '(',
  "  trap '' INT TERM HUP",
  '  while read -r _; do :; done',
  '  read -r _ _ _ parent _ </proc/self/stat',
  '  [ "$parent" = "$$" ] || exit 0',
  '  kill -TERM -$$ 2>/dev/null || kill -TERM $$ 2>/dev/null',
  '  sleep 2',
  '  read -r _ _ _ parent _ </proc/self/stat',
  '  [ "$parent" = "$$" ] && kill -KILL $$ 2>/dev/null',
  '  kill -KILL -$$ 2>/dev/null',
  ') <&3 >/dev/null 3<&- &',
  'exec 3<&-',
] as const;

/** The command line that runs `"$@"` watched: `sh -c <this> <name> <command> <args...>`. */
export const WATCHED_EXEC = [...WATCH_OWNER_LINES, 'exec "$@" </dev/null'].join('\n');

/** stdio for a watched unit: stdin is the owner's pipe (never written), stdout and stderr piped. */
export const WATCHED_STDIO = ['pipe', 'pipe', 'pipe'] as const;
