package main

import (
	"context"
	"fmt"
	"log"
	"sort"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	appslisters "k8s.io/client-go/listers/apps/v1"
	discoverylisters "k8s.io/client-go/listers/discovery/v1"
	"k8s.io/client-go/tools/cache"
)

// In Kubernetes mode the provider learns its functions and their ready replicas from the
// cluster, as faas-netes does: function Deployments (label faas_function) give the functions,
// and the ready endpoints of each function's Service give where calls go. faas-netes 0.18.16
// reads the v1 Endpoints object of the Service (its ready addresses, port 8080); v1 Endpoints
// is deprecated since Kubernetes 1.33, so this reads the Service's EndpointSlices, which the
// same controller fills with the same pods and the same readiness. Every change rebuilds the
// deployment the proxy and the status handlers read, exactly as the fog mode's state file does.

// functionLabel marks a function's Deployment and pods, as faas-netes labels them.
const functionLabel = "faas_function"

// serviceNameLabel ties an EndpointSlice to its Service.
const serviceNameLabel = discoveryv1.LabelServiceName

// functionsFromCluster is the state the provider serves, read from the cluster's objects.
func functionsFromCluster(namespace string, deployments []*appsv1.Deployment, slices []*discoveryv1.EndpointSlice) *stateFile {
	state := &stateFile{Namespace: namespace, Functions: []stateFunction{}}
	byService := map[string][]*discoveryv1.EndpointSlice{}
	for _, slice := range slices {
		byService[slice.Labels[serviceNameLabel]] = append(byService[slice.Labels[serviceNameLabel]], slice)
	}
	sort.Slice(deployments, func(i, j int) bool { return deployments[i].Name < deployments[j].Name })
	for _, d := range deployments {
		if d.Labels[functionLabel] == "" || !functionName.MatchString(d.Name) || len(d.Spec.Template.Spec.Containers) == 0 {
			continue
		}
		state.Functions = append(state.Functions, functionOf(d, byService[d.Name]))
	}
	return state
}

func functionOf(d *appsv1.Deployment, slices []*discoveryv1.EndpointSlice) stateFunction {
	container := d.Spec.Template.Spec.Containers[0]
	fn := stateFunction{
		Name:        d.Name,
		Image:       container.Image,
		Labels:      copyMap(d.Spec.Template.Labels),
		Annotations: copyMap(d.Spec.Template.Annotations),
		EnvVars:     map[string]string{},
		Endpoints:   []stateEndpoint{},
	}
	if d.Spec.Replicas != nil {
		fn.Replicas = uint64(*d.Spec.Replicas)
	}
	for _, env := range container.Env {
		if env.Name == envProcessName {
			fn.EnvProcess = env.Value
		} else if env.ValueFrom == nil {
			fn.EnvVars[env.Name] = env.Value
		}
	}
	for _, slice := range slices {
		if slice.AddressType != discoveryv1.AddressTypeIPv4 && slice.AddressType != discoveryv1.AddressTypeIPv6 {
			continue
		}
		for _, endpoint := range slice.Endpoints {
			// As the EndpointSlice API says: an unknown readiness counts as ready.
			ready := endpoint.Conditions.Ready == nil || *endpoint.Conditions.Ready
			unit := ""
			if endpoint.TargetRef != nil {
				unit = endpoint.TargetRef.Name
			}
			for _, address := range endpoint.Addresses {
				name := unit
				if name == "" {
					name = address
				}
				fn.Endpoints = append(fn.Endpoints, stateEndpoint{Unit: name, Address: address, Port: watchdogPort, Ready: ready})
			}
		}
	}
	sort.Slice(fn.Endpoints, func(i, j int) bool { return fn.Endpoints[i].Unit < fn.Endpoints[j].Unit })
	return fn
}

// functionWatcher keeps the store's deployment in step with the cluster.
type functionWatcher struct {
	namespace   string
	store       *store
	deployments appslisters.DeploymentLister
	slices      discoverylisters.EndpointSliceLister
	changes     chan struct{}
}

// watchFunctions starts informers on the function namespace and returns once their caches
// have synced and the store holds the first state.
func watchFunctions(ctx context.Context, client kubernetes.Interface, namespace string, s *store) error {
	factory := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithNamespace(namespace))
	deployments := factory.Apps().V1().Deployments()
	slices := factory.Discovery().V1().EndpointSlices()
	w := &functionWatcher{namespace: namespace, store: s, deployments: deployments.Lister(), slices: slices.Lister(), changes: make(chan struct{}, 1)}
	notify := func() {
		select {
		case w.changes <- struct{}{}:
		default: // a rebuild is already due
		}
	}
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { notify() },
		UpdateFunc: func(any, any) { notify() },
		DeleteFunc: func(any) { notify() },
	}
	for _, informer := range []cache.SharedIndexInformer{deployments.Informer(), slices.Informer()} {
		if _, err := informer.AddEventHandler(handler); err != nil {
			return err
		}
	}
	factory.Start(ctx.Done())
	synced, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for kind, ok := range factory.WaitForCacheSync(synced.Done()) {
		if !ok {
			return fmt.Errorf("the %v cache of namespace %s did not sync: can the provider's service account list them?", kind, namespace)
		}
	}
	if err := w.rebuild(); err != nil {
		return err
	}
	go w.loop(ctx)
	return nil
}

func (w *functionWatcher) loop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.changes:
			if err := w.rebuild(); err != nil {
				log.Printf("%s: %v; keeping the previous state", kubeProviderName, err)
			}
		}
	}
}

func (w *functionWatcher) rebuild() error {
	deployments, err := w.deployments.List(labels.Everything())
	if err != nil {
		return err
	}
	slices, err := w.slices.List(labels.Everything())
	if err != nil {
		return err
	}
	state := functionsFromCluster(w.namespace, deployments, slices)
	if err := state.validate(); err != nil {
		return err
	}
	w.store.current.Store(newDeployment(state))
	return nil
}
