// fogbench-openfaas-provider: the OpenFaaS provider of fogbench's local fog target. It is
// to the fog what faas-netes is to Kubernetes, built the same way on faas-provider:
// bootstrap.Serve gives the provider HTTP contract the gateway speaks, and proxy.NewHandlerFunc
// carries every /function/{name} call, so the hop gateway → provider → replica runs
// OpenFaaS's own proxy code. What faas-netes reads from the Kubernetes API (functions, their
// ready endpoints) comes here from a JSON state file the harness rewrites whenever a
// replica's readiness changes; functions are deployed by the harness, never by the provider.
//
// Env: FOGBENCH_PROVIDER_STATE (required), and faas-netes' port (8081), read_timeout,
// write_timeout, basic_auth, secret_mount_path, max_idle_conns, max_idle_conns_per_host.
// Stops gracefully on SIGTERM or SIGINT.
package main

import (
	"context"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	bootstrap "github.com/openfaas/faas-provider"
	"github.com/openfaas/faas-provider/proxy"
	"github.com/openfaas/faas-provider/types"
)

func main() {
	if kubernetesModeRequested(types.OsEnv{}) {
		if err := runKubernetesMode(); err != nil {
			log.Fatal(err)
		}
		return
	}
	cfg, err := readConfig(types.OsEnv{})
	if err != nil {
		log.Fatal(err)
	}
	s, err := openStore(cfg.statePath)
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go s.watch(ctx, pollInterval)
	log.Printf("%s: port %d, %d functions in %s, basic auth %t",
		providerName, *cfg.faas.TCPPort, len(s.deployment().functions), s.deployment().namespace, cfg.faas.EnableBasicAuth)
	serve(ctx, cfg.faas, s)
	log.Printf("%s: stopped", providerName)
}

// serve blocks until ctx ends. bootstrap.Serve registers its routes on a package-level router
// and metrics on the default Prometheus registry, so it can run once per process.
func serve(ctx context.Context, faas *types.FaaSConfig, s *store) {
	bootstrap.Serve(ctx, handlers(faas, s, time.Now()), faas)
}

func handlers(faas *types.FaaSConfig, s *store, createdAt time.Time) *types.FaaSHandlers {
	return &types.FaaSHandlers{
		// verbose, as faas-netes 0.18.16 passes it (main.go, printFunctionExecutionTime := true):
		// faas-provider's proxy then logs "<function> took <s> seconds" for every call.
		FunctionProxy:  proxy.NewHandlerFunc(*faas, resolver{store: s}, true),
		FunctionLister: listHandler(s, createdAt),
		FunctionStatus: statusHandler(s, createdAt),
		ScaleFunction:  scaleHandler(s),
		DeployFunction: refuse(deployRefusal),
		UpdateFunction: refuse(deployRefusal),
		DeleteFunction: refuse(deployRefusal),
		Secrets:        refuse(secretsRefusal),
		Logs:           logsHandler,
		ListNamespaces: namespacesHandler(s),
		Info:           infoHandler,
		Health:         healthHandler,
	}
}
