package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	bootstrap "github.com/openfaas/faas-provider"
	"github.com/openfaas/faas-provider/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Kubernetes mode: the provider runs beside the real gateway in the gateway pod of a cluster
// where faas-netes cannot be had (its module is refused by the module proxy and its code is
// under the OpenFaaS CE EULA), in the place the official chart gives faas-netes. The proxy and
// the status, list and scale handlers are the fog mode's, fed from the cluster's Deployments
// and EndpointSlices (endpoints.go) instead of a state file; functions are deployed, updated
// and deleted as Deployments and Services (kube_functions.go). /system/info names this
// provider, so the run manifest says plainly which provider ran.

const (
	kubernetesModeEnv = "FOGBENCH_PROVIDER_KUBERNETES"
	kubeProviderName  = "fogbench-kube-provider"
	defaultNamespace  = "openfaas-fn"
)

func kubernetesModeRequested(env types.HasEnv) bool {
	return env.Getenv(kubernetesModeEnv) == "true"
}

// runKubernetesMode serves until SIGTERM or SIGINT; it needs the pod's service account.
func runKubernetesMode() error {
	env := types.OsEnv{}
	faas, err := types.ReadConfig{}.Read(env)
	if err != nil {
		return err
	}
	if env.Getenv("port") == "" {
		port := defaultPort
		faas.TCPPort = &port
	}
	namespace := env.Getenv("function_namespace")
	if namespace == "" {
		namespace = defaultNamespace
	}
	restConfig, err := rest.InClusterConfig()
	if err != nil {
		return fmt.Errorf("%s=true needs to run in a pod with a service account: %w", kubernetesModeEnv, err)
	}
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	s := &store{}
	s.current.Store(newDeployment(&stateFile{Namespace: namespace}))
	if err := watchFunctions(ctx, client, namespace, s); err != nil {
		return err
	}
	log.Printf("%s: port %d, %d functions in %s, basic auth %t", kubeProviderName, *faas.TCPPort, len(s.deployment().functions), namespace, faas.EnableBasicAuth)
	bootstrap.Serve(ctx, kubeHandlers(faas, s, client, namespace, time.Now()), faas)
	log.Printf("%s: stopped", kubeProviderName)
	return nil
}

// kubeHandlers are the fog mode's handlers with the cluster's deploy, update, delete and info.
func kubeHandlers(faas *types.FaaSConfig, s *store, client kubernetes.Interface, namespace string, createdAt time.Time) *types.FaaSHandlers {
	h := handlers(faas, s, createdAt)
	h.DeployFunction = deployHandler(client, namespace)
	h.UpdateFunction = updateHandler(client, namespace)
	h.DeleteFunction = deleteHandler(client, namespace)
	h.Info = kubeInfoHandler
	return h
}

func kubeInfoHandler(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, types.ProviderInfo{Name: kubeProviderName, Orchestration: "kubernetes", Version: versionInfo()})
}
