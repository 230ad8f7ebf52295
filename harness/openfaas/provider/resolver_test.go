package main

import (
	"testing"
)

// faas-netes picks one ready address at random per call: every ready replica is chosen, about
// equally often, and a replica that is not ready never is.
func TestResolverPicksReadyReplicasAtRandom(t *testing.T) {
	s, _ := newTestStore(t, sampleState())
	r := resolver{store: s}
	const calls = 4000
	counts := map[string]int{}
	for range calls {
		u, err := r.Resolve("get")
		if err != nil {
			t.Fatal(err)
		}
		counts[u.Host]++
	}
	ready := []string{"198.18.4.10:8080", "198.18.4.12:8080"}
	if len(counts) != len(ready) {
		t.Fatalf("calls went to %v; want only the ready replicas %v", counts, ready)
	}
	for _, host := range ready {
		// Binomial(4000, 1/2): a share outside 45-55 % has a probability below 1e-9.
		if share := float64(counts[host]) / calls; share < 0.45 || share > 0.55 {
			t.Fatalf("%s got %.1f %% of the calls; want about half (%v)", host, share*100, counts)
		}
	}
	// Round robin would alternate exactly; a random choice repeats a replica about half the time.
	repeats, previous := 0, ""
	for range 200 {
		u, _ := r.Resolve("get")
		if u.Host == previous {
			repeats++
		}
		previous = u.Host
	}
	if repeats == 0 {
		t.Fatal("200 calls alternated between the replicas: that is round robin, not faas-netes' random choice")
	}
}

func TestResolverNamespacedNames(t *testing.T) {
	s, _ := newTestStore(t, sampleState())
	r := resolver{store: s}
	for _, name := range []string{"get", "get.openfaas-fn", "get."} {
		if _, err := r.Resolve(name); err != nil {
			t.Errorf("Resolve(%q): %v", name, err)
		}
	}
	for _, name := range []string{"put", "get.other-fn", "put.openfaas-fn", ""} {
		if _, err := r.Resolve(name); err == nil {
			t.Errorf("Resolve(%q) succeeded; want an unknown-function error", name)
		}
	}
}

func TestResolverWithoutReadyReplicasFails(t *testing.T) {
	state := sampleState()
	for i := range state.Functions[0].Endpoints {
		state.Functions[0].Endpoints[i].Ready = false
	}
	s, _ := newTestStore(t, state)
	if _, err := (resolver{store: s}).Resolve("get"); err == nil {
		t.Fatal("resolved a function with no ready replica")
	}
}
