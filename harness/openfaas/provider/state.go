package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/openfaas/faas-provider/types"
)

// stateFile is the deployment as the harness writes it (harness/openfaas/provider-state.ts
// holds the same shape in TypeScript). Unknown fields are refused so that a field renamed on
// one side fails loudly instead of being read as empty.
type stateFile struct {
	Namespace string          `json:"namespace"`
	Functions []stateFunction `json:"functions"`
}

type stateFunction struct {
	Name        string            `json:"name"`
	Image       string            `json:"image"`
	EnvProcess  string            `json:"envProcess"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	EnvVars     map[string]string `json:"envVars"`
	Replicas    uint64            `json:"replicas"`
	Endpoints   []stateEndpoint   `json:"endpoints"`
}

type stateEndpoint struct {
	Unit    string `json:"unit"`
	Address string `json:"address"`
	Port    int    `json:"port"`
	Ready   bool   `json:"ready"`
}

// The characters faas-provider's router accepts in a function name (bootstrap.NameExpression).
var functionName = regexp.MustCompile(`^[-a-zA-Z_0-9.]+$`)

// A DNS host name; pods have IP addresses, but a loopback run may name "localhost".
var hostName = regexp.MustCompile(`^[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?$`)

func parseState(data []byte) (*stateFile, error) {
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	var state stateFile
	if err := decoder.Decode(&state); err != nil {
		return nil, fmt.Errorf("not a provider state: %w", err)
	}
	if err := state.validate(); err != nil {
		return nil, err
	}
	return &state, nil
}

func (s *stateFile) validate() error {
	if s.Namespace == "" {
		return fmt.Errorf("namespace is empty")
	}
	seen := map[string]bool{}
	for _, fn := range s.Functions {
		if !functionName.MatchString(fn.Name) {
			return fmt.Errorf("function name %q is not a valid OpenFaaS name", fn.Name)
		}
		if seen[fn.Name] {
			return fmt.Errorf("function %q is listed twice", fn.Name)
		}
		seen[fn.Name] = true
		for _, ep := range fn.Endpoints {
			if net.ParseIP(ep.Address) == nil && !hostName.MatchString(ep.Address) {
				return fmt.Errorf("function %q: endpoint %q has address %q, not an IP address or host name", fn.Name, ep.Unit, ep.Address)
			}
			if ep.Port < 1 || ep.Port > 65535 {
				return fmt.Errorf("function %q: endpoint %q has port %d", fn.Name, ep.Unit, ep.Port)
			}
		}
	}
	return nil
}

// baseURL is where the proxy sends a replica's calls (of-watchdog in the replica's pod).
func (ep stateEndpoint) baseURL() url.URL {
	return url.URL{Scheme: "http", Host: net.JoinHostPort(ep.Address, strconv.Itoa(ep.Port))}
}

func (fn *stateFunction) readyCount() uint64 {
	var n uint64
	for _, ep := range fn.Endpoints {
		if ep.Ready {
			n++
		}
	}
	return n
}

// status is the function as the OpenFaaS API reports it: Replicas is what the run deployed,
// AvailableReplicas what is ready now (the gateway's scale-from-zero waits on the latter).
func (fn *stateFunction) status(namespace string, createdAt time.Time) types.FunctionStatus {
	labels := copyMap(fn.Labels)
	annotations := copyMap(fn.Annotations)
	return types.FunctionStatus{
		Name:              fn.Name,
		Image:             fn.Image,
		Namespace:         namespace,
		EnvProcess:        fn.EnvProcess,
		EnvVars:           copyMap(fn.EnvVars),
		Labels:            &labels,
		Annotations:       &annotations,
		Replicas:          fn.Replicas,
		AvailableReplicas: fn.readyCount(),
		CreatedAt:         createdAt,
	}
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
