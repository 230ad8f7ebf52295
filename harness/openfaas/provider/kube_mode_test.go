package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/openfaas/faas-provider/types"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func functionRequest() types.FunctionDeployment {
	labels := map[string]string{"com.openfaas.scale.min": "2", "com.openfaas.scale.max": "2", "fogbench.io/system": "openfaas"}
	return types.FunctionDeployment{
		Service:    "get",
		Image:      "198.18.66.10:5000/fogbench-get:abc",
		EnvProcess: "node index.mjs",
		EnvVars:    map[string]string{"B": "2", "A": "1"},
		Labels:     &labels,
		Requests:   &types.FunctionResources{CPU: "75m", Memory: "38Mi"},
		Limits:     &types.FunctionResources{CPU: "300m", Memory: "154Mi"},
	}
}

func slice(service string, endpoints ...discoveryv1.Endpoint) *discoveryv1.EndpointSlice {
	return &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: service + "-x", Namespace: "openfaas-fn", Labels: map[string]string{discoveryv1.LabelServiceName: service}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints:   endpoints,
	}
}

func endpoint(pod, address string, ready bool) discoveryv1.Endpoint {
	return discoveryv1.Endpoint{Addresses: []string{address}, Conditions: discoveryv1.EndpointConditions{Ready: &ready}, TargetRef: &corev1.ObjectReference{Kind: "Pod", Name: pod}}
}

// The Deployment and Service have the shape OpenFaaS CE gives a function.
func TestFunctionObjectsAreShapedAsCommunityEditionShapesThem(t *testing.T) {
	d, err := makeFunctionDeployment(functionRequest(), "openfaas-fn")
	if err != nil {
		t.Fatal(err)
	}
	c := d.Spec.Template.Spec.Containers[0]
	if *d.Spec.Replicas != 2 || d.Spec.Selector.MatchLabels[functionLabel] != "get" || d.Spec.Template.Labels["fogbench.io/system"] != "openfaas" {
		t.Fatalf("replicas, selector or pod labels wrong: %+v", d.Spec)
	}
	if c.Name != "get" || c.ImagePullPolicy != corev1.PullAlways || c.Ports[0].ContainerPort != 8080 {
		t.Fatalf("container wrong: %+v", c)
	}
	if len(c.Env) != 3 || c.Env[0].Name != "A" || c.Env[2].Name != envProcessName || c.Env[2].Value != "node index.mjs" {
		t.Fatalf("env not fprocess plus the sorted variables: %+v", c.Env)
	}
	if c.ReadinessProbe.HTTPGet.Path != "/_/health" || c.ReadinessProbe.PeriodSeconds != 2 || c.LivenessProbe.TimeoutSeconds != 1 {
		t.Fatalf("probes wrong: %+v %+v", c.ReadinessProbe, c.LivenessProbe)
	}
	if c.Resources.Limits.Cpu().String() != "300m" || c.Resources.Requests.Memory().String() != "38Mi" {
		t.Fatalf("resources wrong: %+v", c.Resources)
	}
	if d.Spec.Template.Annotations["prometheus.io.scrape"] != "false" || d.Spec.Strategy.RollingUpdate.MaxUnavailable.IntVal != 0 {
		t.Fatal("annotations or rolling update wrong")
	}
	bad := functionRequest()
	(*bad.Labels)["com.openfaas.scale.min"] = "none"
	if _, err := makeFunctionDeployment(bad, "openfaas-fn"); err == nil {
		t.Fatal("a scale label that is not a number was accepted")
	}
}

// Ready endpoints of a function's slices are where calls go; not-ready ones are listed, not used.
func TestFunctionsFromClusterObjects(t *testing.T) {
	d, _ := makeFunctionDeployment(functionRequest(), "openfaas-fn")
	other := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "not-a-function", Namespace: "openfaas-fn"}, Spec: d.Spec}
	state := functionsFromCluster("openfaas-fn", []*appsv1.Deployment{d, other}, []*discoveryv1.EndpointSlice{
		slice("get", endpoint("get-b", "198.18.67.4", false), endpoint("get-a", "198.18.66.3", true)),
		slice("unrelated", endpoint("x", "198.18.66.9", true)),
	})
	if len(state.Functions) != 1 {
		t.Fatalf("want only the function Deployment, got %+v", state.Functions)
	}
	fn := state.Functions[0]
	if fn.EnvProcess != "node index.mjs" || fn.EnvVars["A"] != "1" || fn.Replicas != 2 || fn.Image != d.Spec.Template.Spec.Containers[0].Image {
		t.Fatalf("function wrong: %+v", fn)
	}
	if len(fn.Endpoints) != 2 || fn.Endpoints[0].Unit != "get-a" || !fn.Endpoints[0].Ready || fn.Endpoints[1].Ready || fn.Endpoints[0].Port != 8080 {
		t.Fatalf("endpoints wrong: %+v", fn.Endpoints)
	}
	if err := state.validate(); err != nil {
		t.Fatal(err)
	}
	if got, _ := (resolver{store: storeWith(state)}).Resolve("get"); got.Host != "198.18.66.3:8080" {
		t.Fatalf("resolved %v, want the ready replica", got)
	}
}

func storeWith(state *stateFile) *store {
	s := &store{}
	s.current.Store(newDeployment(state))
	return s
}

// Deploy through the handlers, then the informers bring the new endpoints into the store.
func TestKubernetesModeDeploysAndFollowsReadiness(t *testing.T) {
	client := fake.NewClientset()
	s := &store{}
	s.current.Store(newDeployment(&stateFile{Namespace: "openfaas-fn"}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := watchFunctions(ctx, client, "openfaas-fn", s); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(functionRequest())
	rec := httptest.NewRecorder()
	deployHandler(client, "openfaas-fn")(rec, httptest.NewRequest(http.MethodPost, "/system/functions", bytes.NewReader(body)))
	if rec.Code != http.StatusAccepted {
		t.Fatalf("deploy answered %d: %s", rec.Code, rec.Body)
	}
	if _, err := client.CoreV1().Services("openfaas-fn").Get(ctx, "get", metav1.GetOptions{}); err != nil {
		t.Fatalf("no Service: %v", err)
	}
	rec = httptest.NewRecorder()
	deployHandler(client, "openfaas-fn")(rec, httptest.NewRequest(http.MethodPost, "/system/functions", bytes.NewReader(body)))
	if rec.Code != http.StatusConflict {
		t.Fatalf("a second deploy answered %d, want 409", rec.Code)
	}
	if _, err := client.DiscoveryV1().EndpointSlices("openfaas-fn").Create(ctx, slice("get", endpoint("get-a", "198.18.66.3", false)), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { rt, err := s.deployment().lookup("get"); return err == nil && len(rt.fn.Endpoints) == 1 && len(rt.ready) == 0 })
	if _, err := client.DiscoveryV1().EndpointSlices("openfaas-fn").Update(ctx, slice("get", endpoint("get-a", "198.18.66.3", true)), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { rt, err := s.deployment().lookup("get"); return err == nil && len(rt.ready) == 1 })

	del, _ := json.Marshal(types.DeleteFunctionRequest{FunctionName: "get"})
	rec = httptest.NewRecorder()
	deleteHandler(client, "openfaas-fn")(rec, httptest.NewRequest(http.MethodDelete, "/system/functions", bytes.NewReader(del)))
	if rec.Code != http.StatusAccepted {
		t.Fatalf("delete answered %d: %s", rec.Code, rec.Body)
	}
	waitFor(t, func() bool { _, err := s.deployment().lookup("get"); return err != nil })
	rec = httptest.NewRecorder()
	deleteHandler(client, "openfaas-fn")(rec, httptest.NewRequest(http.MethodDelete, "/system/functions", bytes.NewReader(del)))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("deleting a missing function answered %d, want 404", rec.Code)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("the store did not follow the cluster within 5 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
