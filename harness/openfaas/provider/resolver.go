package main

import (
	"fmt"
	"math/rand/v2"
	"net/url"
)

// resolver is the proxy.BaseURLResolver faas-provider's proxy asks for every call: one of the
// function's ready replicas picked uniformly at random, as faas-netes 0.18.16 picks one of the
// ready addresses of the function's Endpoints (pkg/k8s/proxy.go, rand.Intn over the first
// subset's addresses). An error makes the proxy answer 503 "No endpoints available", which is
// also what the gateway's caller sees from faas-netes when no pod is ready.
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
	return rt.ready[rand.IntN(len(rt.ready))], nil
}
