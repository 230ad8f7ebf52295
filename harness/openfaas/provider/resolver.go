package main

import (
	"fmt"
	"net/url"
)

// resolver is the proxy.BaseURLResolver faas-provider's proxy asks for every call: round
// robin over the function's ready replicas, as a Kubernetes Service spreads over ready pods.
// An error makes the proxy answer 503 "No endpoints available", which is also what the
// gateway's caller sees from faas-netes when no pod is ready.
type resolver struct {
	store *store
}

func (r resolver) Resolve(name string) (url.URL, error) {
	rt, err := r.store.deployment().lookup(name)
	if err != nil {
		return url.URL{}, err
	}
	if len(rt.ready) == 0 {
		return url.URL{}, fmt.Errorf("no ready replica of %s (%d deployed)", rt.fn.Name, len(rt.fn.Endpoints))
	}
	i := rt.next.Add(1) - 1
	return rt.ready[i%uint64(len(rt.ready))], nil
}
