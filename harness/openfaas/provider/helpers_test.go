package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"
)

// sampleState is a run with one function "get" of three replicas, the middle one not ready.
func sampleState() stateFile {
	return stateFile{
		Namespace: "openfaas-fn",
		Functions: []stateFunction{{
			Name:       "get",
			Image:      "fogbench/get:3f2a",
			EnvProcess: "node main.js",
			Labels:     map[string]string{"com.openfaas.scale.min": "3", "com.openfaas.scale.max": "3"},
			Replicas:   3,
			Endpoints: []stateEndpoint{
				{Unit: "get-0", Address: "198.18.4.10", Port: 8080, Ready: true},
				{Unit: "get-1", Address: "198.18.4.11", Port: 8080, Ready: false},
				{Unit: "get-2", Address: "198.18.4.12", Port: 8080, Ready: true},
			},
		}},
	}
}

// writeStateFile replaces path the way the harness does: a temporary file, then a rename.
func writeStateFile(t *testing.T, path string, state any) {
	t.Helper()
	data, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	writeRaw(t, path, data)
}

func writeRaw(t *testing.T, path string, data []byte) {
	t.Helper()
	temporary := path + ".tmp"
	if err := os.WriteFile(temporary, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(temporary, path); err != nil {
		t.Fatal(err)
	}
}

func newTestStore(t *testing.T, state stateFile) (*store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.json")
	writeStateFile(t, path, state)
	s, err := openStore(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.close)
	return s, path
}

// call runs handler on a request carrying the router variables bootstrap.Serve would set.
func call(handler http.HandlerFunc, method, target, body string, vars map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if vars != nil {
		req = mux.SetURLVars(req, vars)
	}
	rec := httptest.NewRecorder()
	handler(rec, req)
	return rec
}

// endpointOf turns an httptest server into a state endpoint.
func endpointOf(t *testing.T, server *httptest.Server, unit string, ready bool) stateEndpoint {
	t.Helper()
	host, port, err := net.SplitHostPort(strings.TrimPrefix(server.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(port)
	return stateEndpoint{Unit: unit, Address: host, Port: n, Ready: ready}
}

func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
