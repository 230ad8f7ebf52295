package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"

	"github.com/openfaas/faas-provider/types"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
)

// Deploying, updating and deleting functions in Kubernetes mode: a Deployment and a ClusterIP
// Service per function, shaped as OpenFaaS CE (faas-netes 0.18.16) shapes them, since that is
// what the official chart runs on a user's cluster: label faas_function on both, the
// function's labels on the pods, replicas from com.openfaas.scale.min, one container named
// after the function on port 8080 with fprocess and the env vars, the requests and limits
// asked for, image pull policy Always, the hard-coded HTTP probes on /_/health, rolling updates
// that never take a replica away first, and annotations with prometheus.io.scrape=false.

const (
	envProcessName = "fprocess"
	watchdogPort   = 8080
	scaleMinLabel  = "com.openfaas.scale.min"
)

// makeFunctionDeployment is the Deployment of a function, as CE makes it.
func makeFunctionDeployment(req types.FunctionDeployment, namespace string) (*appsv1.Deployment, error) {
	replicas := int32(1)
	podLabels := map[string]string{functionLabel: req.Service}
	if req.Labels != nil {
		for k, v := range *req.Labels {
			podLabels[k] = v
		}
		if min, ok := (*req.Labels)[scaleMinLabel]; ok {
			n, err := strconv.Atoi(min)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%s must be a whole number of at least 1, not %q", scaleMinLabel, min)
			}
			replicas = int32(n)
		}
	}
	resources, err := functionResources(req)
	if err != nil {
		return nil, err
	}
	annotations := functionAnnotations(req)
	probe := func() *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler:        corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/_/health", Port: intstr.FromInt32(watchdogPort)}},
			InitialDelaySeconds: 2,
			PeriodSeconds:       2,
			TimeoutSeconds:      1,
			SuccessThreshold:    1,
			FailureThreshold:    3,
		}
	}
	zero, one := intstr.FromInt32(0), intstr.FromInt32(1)
	history := int32(10)
	readOnly := req.ReadOnlyRootFilesystem
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: req.Service, Namespace: namespace, Labels: map[string]string{functionLabel: req.Service}, Annotations: annotations},
		Spec: appsv1.DeploymentSpec{
			Replicas:             &replicas,
			Selector:             &metav1.LabelSelector{MatchLabels: map[string]string{functionLabel: req.Service}},
			Strategy:             appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{MaxUnavailable: &zero, MaxSurge: &one}},
			RevisionHistoryLimit: &history,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels, Annotations: annotations},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{
						Name:            req.Service,
						Image:           req.Image,
						Ports:           []corev1.ContainerPort{{Name: "http", ContainerPort: watchdogPort, Protocol: corev1.ProtocolTCP}},
						Env:             functionEnv(req),
						Resources:       resources,
						ImagePullPolicy: corev1.PullAlways,
						LivenessProbe:   probe(),
						ReadinessProbe:  probe(),
						SecurityContext: &corev1.SecurityContext{ReadOnlyRootFilesystem: &readOnly},
					}},
					RestartPolicy: corev1.RestartPolicyAlways,
					DNSPolicy:     corev1.DNSClusterFirst,
				},
			},
		},
	}, nil
}

// makeFunctionService is the ClusterIP Service in front of a function's pods.
func makeFunctionService(req types.FunctionDeployment, namespace string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: req.Service, Namespace: namespace, Annotations: functionAnnotations(req)},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: map[string]string{functionLabel: req.Service},
			Ports:    []corev1.ServicePort{{Name: "http", Protocol: corev1.ProtocolTCP, Port: watchdogPort, TargetPort: intstr.FromInt32(watchdogPort)}},
		},
	}
}

func functionAnnotations(req types.FunctionDeployment) map[string]string {
	annotations := map[string]string{}
	if req.Annotations != nil {
		for k, v := range *req.Annotations {
			annotations[k] = v
		}
	}
	if _, ok := annotations["prometheus.io.scrape"]; !ok {
		annotations["prometheus.io.scrape"] = "false"
	}
	return annotations
}

func functionEnv(req types.FunctionDeployment) []corev1.EnvVar {
	env := []corev1.EnvVar{}
	if req.EnvProcess != "" {
		env = append(env, corev1.EnvVar{Name: envProcessName, Value: req.EnvProcess})
	}
	for k, v := range req.EnvVars {
		env = append(env, corev1.EnvVar{Name: k, Value: v})
	}
	sort.SliceStable(env, func(i, j int) bool { return env[i].Name < env[j].Name })
	return env
}

func functionResources(req types.FunctionDeployment) (corev1.ResourceRequirements, error) {
	out := corev1.ResourceRequirements{Requests: corev1.ResourceList{}, Limits: corev1.ResourceList{}}
	set := func(list corev1.ResourceList, name corev1.ResourceName, value, what string) error {
		if value == "" {
			return nil
		}
		q, err := resource.ParseQuantity(value)
		if err != nil {
			return fmt.Errorf("%s %s %q: %w", what, name, value, err)
		}
		list[name] = q
		return nil
	}
	if r := req.Requests; r != nil {
		if err := set(out.Requests, corev1.ResourceCPU, r.CPU, "requests"); err != nil {
			return out, err
		}
		if err := set(out.Requests, corev1.ResourceMemory, r.Memory, "requests"); err != nil {
			return out, err
		}
	}
	if l := req.Limits; l != nil {
		if err := set(out.Limits, corev1.ResourceCPU, l.CPU, "limits"); err != nil {
			return out, err
		}
		if err := set(out.Limits, corev1.ResourceMemory, l.Memory, "limits"); err != nil {
			return out, err
		}
	}
	return out, nil
}

// readDeployment decodes a POST or PUT /system/functions body in the provider's namespace.
func readDeployment(w http.ResponseWriter, r *http.Request, namespace string) (types.FunctionDeployment, bool) {
	var req types.FunctionDeployment
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		http.Error(w, "the request is not a FunctionDeployment: "+err.Error(), http.StatusBadRequest)
		return req, false
	}
	if req.Namespace != "" && req.Namespace != namespace {
		http.Error(w, "namespace must be: "+namespace, http.StatusBadRequest)
		return req, false
	}
	if !functionName.MatchString(req.Service) || req.Image == "" {
		http.Error(w, "a function needs a valid service name and an image", http.StatusBadRequest)
		return req, false
	}
	return req, true
}

func deployHandler(client kubernetes.Interface, namespace string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req, ok := readDeployment(w, r, namespace)
		if !ok {
			return
		}
		deployment, err := makeFunctionDeployment(req, namespace)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ctx := r.Context()
		if _, err := client.AppsV1().Deployments(namespace).Create(ctx, deployment, metav1.CreateOptions{}); err != nil {
			http.Error(w, "unable to create the Deployment: "+err.Error(), statusOf(err))
			return
		}
		if _, err := client.CoreV1().Services(namespace).Create(ctx, makeFunctionService(req, namespace), metav1.CreateOptions{}); err != nil {
			http.Error(w, "unable to create the Service: "+err.Error(), statusOf(err))
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}
}

func updateHandler(client kubernetes.Interface, namespace string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req, ok := readDeployment(w, r, namespace)
		if !ok {
			return
		}
		want, err := makeFunctionDeployment(req, namespace)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ctx := r.Context()
		if err := replaceFunction(ctx, client, namespace, want); err != nil {
			http.Error(w, "unable to update the function: "+err.Error(), statusOf(err))
			return
		}
		service := makeFunctionService(req, namespace)
		current, err := client.CoreV1().Services(namespace).Get(ctx, req.Service, metav1.GetOptions{})
		if err == nil {
			current.Annotations = service.Annotations
			_, err = client.CoreV1().Services(namespace).Update(ctx, current, metav1.UpdateOptions{})
		} else if apierrors.IsNotFound(err) {
			_, err = client.CoreV1().Services(namespace).Create(ctx, service, metav1.CreateOptions{})
		}
		if err != nil {
			http.Error(w, "unable to update the Service: "+err.Error(), statusOf(err))
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}
}

// replaceFunction puts the wanted pod template, labels and replicas on the existing Deployment.
func replaceFunction(ctx context.Context, client kubernetes.Interface, namespace string, want *appsv1.Deployment) error {
	current, err := client.AppsV1().Deployments(namespace).Get(ctx, want.Name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	current.Annotations = want.Annotations
	current.Spec.Replicas = want.Spec.Replicas
	current.Spec.Template = want.Spec.Template
	_, err = client.AppsV1().Deployments(namespace).Update(ctx, current, metav1.UpdateOptions{})
	return err
}

func deleteHandler(client kubernetes.Interface, namespace string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req types.DeleteFunctionRequest
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err == nil {
			err = json.Unmarshal(body, &req)
		}
		if err != nil || req.FunctionName == "" {
			http.Error(w, "the request is not a DeleteFunctionRequest with a functionName", http.StatusBadRequest)
			return
		}
		if req.Namespace != "" && req.Namespace != namespace {
			http.Error(w, "namespace must be: "+namespace, http.StatusBadRequest)
			return
		}
		ctx := r.Context()
		background := metav1.DeletePropagationBackground
		if err := client.AppsV1().Deployments(namespace).Delete(ctx, req.FunctionName, metav1.DeleteOptions{PropagationPolicy: &background}); err != nil {
			http.Error(w, "unable to delete the function: "+err.Error(), statusOf(err))
			return
		}
		if err := client.CoreV1().Services(namespace).Delete(ctx, req.FunctionName, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			http.Error(w, "unable to delete the Service: "+err.Error(), statusOf(err))
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}
}

// statusOf maps an API server error to the status the gateway's caller gets.
func statusOf(err error) int {
	switch {
	case apierrors.IsNotFound(err):
		return http.StatusNotFound
	case apierrors.IsAlreadyExists(err), apierrors.IsConflict(err):
		return http.StatusConflict
	case apierrors.IsInvalid(err), apierrors.IsBadRequest(err):
		return http.StatusBadRequest
	default:
		return http.StatusInternalServerError
	}
}
