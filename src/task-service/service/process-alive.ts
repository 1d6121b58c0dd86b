/**
 * Whether a process with this pid exists on this machine. Signal 0 checks without sending:
 * ESRCH means gone; EPERM means it exists but belongs to someone else (still alive). A reused
 * pid reads as alive, which only means waiting out the lease: the safe direction.
 */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
