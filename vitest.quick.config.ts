/**
 * `npm run test:quick`, the inner loop: every test but those that take long or need what a
 * developer's machine may lack (listed here, by why), so a new test runs in it unless it is put
 * here. Under 3 minutes on 2 cores; `npm test` runs everything. A test file that takes more than
 * a few seconds belongs in this list.
 */
import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

const LONG_OR_HEAVY = [
  // The fog target for real (root, namespaces, cgroups, shaped links) and systems deployed on it.
  'test/targets/local/{cgroups,cleanup,fog-faults,fog-target,interruption,latency,probes}.test.ts',
  'test/bench/{fault-schedule,faults-on-fog,run-bench,sensor-feed-unit,sweep}.test.ts',
  'test/openfaas/{fog-openfaas,fog-openfaas-chain,fog-openfaas-cli,function-adapter}.test.ts',
  'test/systems/deadline.test.ts',
  // A real Kubernetes control plane or local cluster (built by scripts/setup.sh --tests).
  'test/targets/kube/{kube-faults,kube-target,registry-push}.test.ts',
  'test/targets/kube/oci/local-images.test.ts',
  'test/openfaas/{helm,kube-functions}.test.ts',
  'test/clusters/local-cluster/{local-cluster,manifests}.test.ts',
  // The command line as a process: benches, report, serve, signals, the gate.
  'test/cli/{bench,bench-hey,bench-killed,bench-open-loop,bench-warmup,dataset,preset-paper,report,serve,signals,sweep-cli}.test.ts',
  'test/gate/{audit-holes,comparable,comparable-runs,gate-cli}.test.ts',
  // Load generators measured against real servers for seconds, and against hey.
  'test/load/{client-limited,driver-vs-hey,drivers,hey-csv,hey-driver,open-loop,self-monitor,warmup}.test.ts',
  'test/metrics/client-limited.test.ts',
  'test/perf/cpu-profile.test.ts',
  'test/targets/loopback/observe.test.ts',
  // Chromium.
  'test/report/{browser,fault-section,sweep-browser,table-width}.test.ts',
  // 20 s to 2 min each on a shared 2-core machine: the nightly scripts end to end, Vagrant's and
  // cloud-init's validators, Go builds, every chart through vega, hour-long synthetic runs judged.
  'test/ci/nightly-reference.test.ts',
  'test/clusters/rendered-files.test.ts',
  'test/openfaas/binaries/build.test.ts',
  'test/report/charts.test.ts',
  'test/replication/verdicts-collapse.test.ts',
];

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    exclude: [...configDefaults.exclude, ...LONG_OR_HEAVY],
    // Two files at a time (168 s against 200 s one at a time, on 2 shared cores): the files that
    // measure timing, which the full run keeps off each other's CPU, are all in the list above.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
