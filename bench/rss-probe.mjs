// Loaded with `node --import ./bench/rss-probe.mjs ...` by the benches that spawn dmadbg:
// at exit, the process's peak resident set size goes to stderr on a line of its own.
process.on('exit', () => {
  process.stderr.write(`\nrss-probe maxrss_kb=${process.resourceUsage().maxRSS}\n`);
});
