package main

import (
	"fmt"

	"github.com/openfaas/faas-provider/types"
)

// stateEnv names the env var holding the path of the state file the harness writes.
const stateEnv = "FOGBENCH_PROVIDER_STATE"

// faas-netes listens on 8081 (the gateway's functions_provider_url in the chart); the
// faas-provider default of 8080 is the watchdog's port.
const defaultPort = 8081

type config struct {
	faas      *types.FaaSConfig
	statePath string
}

// readConfig reads the same env vars as faas-netes (port, read_timeout, write_timeout,
// basic_auth, secret_mount_path, max_idle_conns, max_idle_conns_per_host) through
// faas-provider's own reader, plus the state file's path.
func readConfig(env types.HasEnv) (*config, error) {
	faas, err := types.ReadConfig{}.Read(env)
	if err != nil {
		return nil, err
	}
	if env.Getenv("port") == "" {
		port := defaultPort
		faas.TCPPort = &port
	}
	statePath := env.Getenv(stateEnv)
	if statePath == "" {
		return nil, fmt.Errorf("%s must name the provider state file the harness writes", stateEnv)
	}
	return &config{faas: faas, statePath: statePath}, nil
}
