package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openfaas/faas-provider/types"
)

var started = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func TestListReportsDesiredAndAvailableReplicas(t *testing.T) {
	s, _ := newTestStore(t, sampleState())
	rec := call(listHandler(s, started), http.MethodGet, "/system/functions?namespace=openfaas-fn", "", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var list []types.FunctionStatus
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("listed %d functions, want 1", len(list))
	}
	fn := list[0]
	if fn.Name != "get" || fn.Replicas != 3 || fn.AvailableReplicas != 2 || fn.Namespace != "openfaas-fn" ||
		fn.Image != "fogbench/get:3f2a" || fn.EnvProcess != "node main.js" || !fn.CreatedAt.Equal(started) ||
		fn.Labels == nil || (*fn.Labels)["com.openfaas.scale.min"] != "3" {
		t.Fatalf("listed %+v", fn)
	}
	if rec := call(listHandler(s, started), http.MethodGet, "/system/functions?namespace=kube-system", "", nil); rec.Code != http.StatusBadRequest {
		t.Fatalf("another namespace: status %d, want 400", rec.Code)
	}
}

func TestStatusOfOneFunction(t *testing.T) {
	s, _ := newTestStore(t, sampleState())
	handler := statusHandler(s, started)
	rec := call(handler, http.MethodGet, "/system/function/get?namespace=openfaas-fn&usage=false", "", map[string]string{"name": "get"})
	var fn types.FunctionStatus
	if err := json.Unmarshal(rec.Body.Bytes(), &fn); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("status %d %s (%v)", rec.Code, rec.Body, err)
	}
	if fn.Replicas != 3 || fn.AvailableReplicas != 2 {
		t.Fatalf("replicas %d available %d, want 3 and 2", fn.Replicas, fn.AvailableReplicas)
	}
	for _, target := range []string{"/system/function/put", "/system/function/get?namespace=other"} {
		name := strings.TrimPrefix(strings.Split(target, "?")[0], "/system/function/")
		if rec := call(handler, http.MethodGet, target, "", map[string]string{"name": name}); rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", target, rec.Code)
		}
	}
}

func TestScaleAcceptsOnlyTheFixedScale(t *testing.T) {
	s, _ := newTestStore(t, sampleState())
	handler := scaleHandler(s)
	vars := map[string]string{"name": "get"}
	if rec := call(handler, http.MethodPost, "/system/scale-function/get?namespace=openfaas-fn", `{"serviceName":"get","replicas":3}`, vars); rec.Code != http.StatusAccepted {
		t.Fatalf("scale to the configured 3: status %d %s, want 202", rec.Code, rec.Body)
	}
	for _, replicas := range []string{"0", "1", "5"} {
		rec := call(handler, http.MethodPost, "/system/scale-function/get", `{"serviceName":"get","replicas":`+replicas+`}`, vars)
		if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "fogbench runs functions at a fixed scale of 3 replicas") {
			t.Fatalf("scale to %s: status %d %q, want 409 with the fixed-scale message", replicas, rec.Code, rec.Body)
		}
	}
	if rec := call(handler, http.MethodPost, "/system/scale-function/put", `{"replicas":1}`, map[string]string{"name": "put"}); rec.Code != http.StatusNotFound {
		t.Fatalf("unknown function: status %d, want 404", rec.Code)
	}
	if rec := call(handler, http.MethodPost, "/system/scale-function/get", `not json`, vars); rec.Code != http.StatusBadRequest {
		t.Fatalf("bad body: status %d, want 400", rec.Code)
	}
}

func TestDeploymentChangesAreRefused(t *testing.T) {
	s, _ := newTestStore(t, sampleState())
	h := handlers(&types.FaaSConfig{}, s, started)
	for name, handler := range map[string]http.HandlerFunc{"deploy": h.DeployFunction, "update": h.UpdateFunction, "delete": h.DeleteFunction} {
		rec := call(handler, http.MethodPost, "/system/functions", `{"service":"get","image":"x"}`, nil)
		if rec.Code != http.StatusNotImplemented || !strings.Contains(rec.Body.String(), "functions are deployed by fogbench for the run") {
			t.Errorf("%s: status %d %q, want 501 with the refusal", name, rec.Code, rec.Body)
		}
	}
	if rec := call(h.Secrets, http.MethodGet, "/system/secrets", "", nil); rec.Code != http.StatusNotImplemented {
		t.Errorf("secrets: status %d, want 501", rec.Code)
	}
}

func TestInfoNamespacesHealthAndLogs(t *testing.T) {
	s, _ := newTestStore(t, sampleState())
	h := handlers(&types.FaaSConfig{}, s, started)
	var info types.ProviderInfo
	rec := call(h.Info, http.MethodGet, "/system/info", "", nil)
	if err := json.Unmarshal(rec.Body.Bytes(), &info); err != nil || info.Name != "fogbench-fog-provider" || info.Orchestration != "fog" || info.Version == nil {
		t.Fatalf("info %s (%v)", rec.Body, err)
	}
	if rec := call(h.ListNamespaces, http.MethodGet, "/system/namespaces", "", nil); strings.TrimSpace(rec.Body.String()) != `["openfaas-fn"]` {
		t.Fatalf("namespaces %s", rec.Body)
	}
	if rec := call(h.Health, http.MethodGet, "/healthz", "", nil); rec.Code != http.StatusOK {
		t.Fatalf("health %d", rec.Code)
	}
	if rec := call(h.Logs, http.MethodGet, "/system/logs?name=get", "", nil); rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Fatalf("logs %d %q, want an empty stream", rec.Code, rec.Body)
	}
}
