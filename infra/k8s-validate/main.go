// cairn-k8s-validate renders kustomize directories offline and decodes every rendered object
// strictly into the official Kubernetes API types, then checks the references between objects
// that the API server would accept but that would leave Cairn broken (a Service selecting no pod,
// an HPA scaling a Deployment that does not exist, a probe on a port the container lacks).
//
//	cairn-k8s-validate <kustomization dir>...
//
// Prints one JSON document: for each directory its rendered objects (as JSON) and its problems.
// Exits 1 when any directory has a problem, 2 on bad usage.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metavalidation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// The kinds Cairn's manifests may contain. Anything else is an error, so no object escapes
// validation by being of a kind this program does not know.
var kinds = map[string]func() any{
	"v1/ConfigMap":                           func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                              func() any { return &corev1.Secret{} },
	"v1/Service":                             func() any { return &corev1.Service{} },
	"v1/ServiceAccount":                      func() any { return &corev1.ServiceAccount{} },
	"v1/Namespace":                           func() any { return &corev1.Namespace{} },
	"apps/v1/Deployment":                     func() any { return &appsv1.Deployment{} },
	"autoscaling/v2/HorizontalPodAutoscaler": func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"policy/v1/PodDisruptionBudget":          func() any { return &policyv1.PodDisruptionBudget{} },
	"networking.k8s.io/v1/Ingress":           func() any { return &networkingv1.Ingress{} },
	"networking.k8s.io/v1/NetworkPolicy":     func() any { return &networkingv1.NetworkPolicy{} },
}

type report struct {
	Dir      string            `json:"dir"`
	Objects  []json.RawMessage `json:"objects"`
	Problems []string          `json:"problems"`
}

// rendered holds the typed objects of one directory, for the cross-object checks.
type rendered struct {
	configMaps  map[string]*corev1.ConfigMap
	secrets     map[string]*corev1.Secret
	services    map[string]*corev1.Service
	deployments map[string]*appsv1.Deployment
	hpas        []*autoscalingv2.HorizontalPodAutoscaler
	pdbs        []*policyv1.PodDisruptionBudget
	ingresses   []*networkingv1.Ingress
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: cairn-k8s-validate <kustomization dir>...")
		os.Exit(2)
	}
	reports := make([]report, 0, len(os.Args)-1)
	failed := false
	for _, dir := range os.Args[1:] {
		r := validateDir(dir)
		if len(r.Problems) > 0 {
			failed = true
			for _, p := range r.Problems {
				fmt.Fprintf(os.Stderr, "%s: %s\n", dir, p)
			}
		}
		reports = append(reports, r)
	}
	out, err := json.Marshal(reports)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println(string(out))
	if failed {
		os.Exit(1)
	}
}

func validateDir(dir string) report {
	r := report{Dir: dir, Objects: []json.RawMessage{}, Problems: []string{}}
	kustomizer := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := kustomizer.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		r.Problems = append(r.Problems, "kustomize: "+err.Error())
		return r
	}
	all := rendered{
		configMaps:  map[string]*corev1.ConfigMap{},
		secrets:     map[string]*corev1.Secret{},
		services:    map[string]*corev1.Service{},
		deployments: map[string]*appsv1.Deployment{},
	}
	for _, res := range resources.Resources() {
		text, err := res.AsYAML()
		if err != nil {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: %v", res.CurId(), err))
			continue
		}
		object, asJSON, problems := decodeStrict(text)
		r.Problems = append(r.Problems, problems...)
		if asJSON != nil {
			r.Objects = append(r.Objects, asJSON)
		}
		switch o := object.(type) {
		case *corev1.ConfigMap:
			all.configMaps[o.Name] = o
		case *corev1.Secret:
			all.secrets[o.Name] = o
		case *corev1.Service:
			all.services[o.Name] = o
		case *appsv1.Deployment:
			all.deployments[o.Name] = o
		case *autoscalingv2.HorizontalPodAutoscaler:
			all.hpas = append(all.hpas, o)
		case *policyv1.PodDisruptionBudget:
			all.pdbs = append(all.pdbs, o)
		case *networkingv1.Ingress:
			all.ingresses = append(all.ingresses, o)
		}
	}
	r.Problems = append(r.Problems, crossCheck(&all)...)
	sort.Strings(r.Problems)
	return r
}

// decodeStrict turns one YAML document into its typed object, refusing duplicate keys, unknown
// or wrongly-cased fields and values of the wrong type (the API server's fieldValidation=Strict).
func decodeStrict(text []byte) (any, json.RawMessage, []string) {
	asJSON, err := yaml.YAMLToJSONStrict(text)
	if err != nil {
		return nil, nil, []string{"yaml: " + err.Error()}
	}
	var meta metav1.TypeMeta
	var header struct {
		metav1.TypeMeta `json:",inline"`
		Metadata        metav1.ObjectMeta `json:"metadata"`
	}
	if err := json.Unmarshal(asJSON, &header); err != nil {
		return nil, asJSON, []string{"header: " + err.Error()}
	}
	meta = header.TypeMeta
	id := fmt.Sprintf("%s %s", meta.Kind, header.Metadata.Name)
	factory, known := kinds[meta.APIVersion+"/"+meta.Kind]
	if !known {
		return nil, asJSON, []string{fmt.Sprintf("%s: apiVersion %q kind %q is not one Cairn's manifests may use", id, meta.APIVersion, meta.Kind)}
	}
	object := factory()
	strictErrors, err := kjson.UnmarshalStrict(asJSON, object)
	problems := []string{}
	if err != nil {
		problems = append(problems, fmt.Sprintf("%s: %v", id, err))
	}
	for _, e := range strictErrors {
		problems = append(problems, fmt.Sprintf("%s: %v", id, e))
	}
	problems = append(problems, checkMeta(id, meta.Kind, &header.Metadata)...)
	return object, asJSON, problems
}

func checkMeta(id, kind string, m *metav1.ObjectMeta) []string {
	problems := []string{}
	nameErrors := validation.IsDNS1123Subdomain(m.Name)
	if kind == "Service" || kind == "Namespace" {
		nameErrors = validation.IsDNS1123Label(m.Name)
	}
	for _, e := range nameErrors {
		problems = append(problems, fmt.Sprintf("%s: name: %s", id, e))
	}
	for _, e := range metavalidation.ValidateLabels(m.Labels, field.NewPath("metadata", "labels")) {
		problems = append(problems, fmt.Sprintf("%s: %v", id, e))
	}
	return problems
}

func crossCheck(all *rendered) []string {
	problems := []string{}
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	for name, d := range all.deployments {
		id := "Deployment " + name
		selector, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
		if err != nil || d.Spec.Selector == nil || selector.Empty() {
			add("%s: needs a non-empty selector", id)
		} else if !selector.Matches(labels.Set(d.Spec.Template.Labels)) {
			add("%s: selector does not match the pod template's labels", id)
		}
		if len(d.Spec.Template.Spec.Containers) == 0 {
			add("%s: has no container", id)
		}
		for _, c := range d.Spec.Template.Spec.Containers {
			cid := fmt.Sprintf("%s container %s", id, c.Name)
			if c.Image == "" {
				add("%s: has no image", cid)
			}
			for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
				if _, ok := c.Resources.Requests[r]; !ok {
					add("%s: no %s request", cid, r)
				}
			}
			if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
				add("%s: no memory limit", cid)
			}
			for r, limit := range c.Resources.Limits {
				if request, ok := c.Resources.Requests[r]; ok && request.Cmp(limit) > 0 {
					add("%s: %s request %s is above its limit %s", cid, r, request.String(), limit.String())
				}
			}
			for _, probe := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe, c.StartupProbe} {
				if probe != nil && probe.HTTPGet != nil && !containerHasPort(c, probe.HTTPGet.Port) {
					add("%s: probe port %s is not a port of the container", cid, probe.HTTPGet.Port.String())
				}
			}
			for _, from := range c.EnvFrom {
				if ref := from.ConfigMapRef; ref != nil && all.configMaps[ref.Name] == nil && !optional(ref.Optional) {
					add("%s: envFrom ConfigMap %s does not exist", cid, ref.Name)
				}
				if ref := from.SecretRef; ref != nil && all.secrets[ref.Name] == nil && !optional(ref.Optional) {
					add("%s: envFrom Secret %s does not exist", cid, ref.Name)
				}
			}
		}
	}

	for name, s := range all.services {
		id := "Service " + name
		pods := deploymentsSelectedBy(all, labels.SelectorFromSet(s.Spec.Selector))
		if len(s.Spec.Selector) == 0 || len(pods) == 0 {
			add("%s: selects no Deployment's pods", id)
			continue
		}
		for _, p := range s.Spec.Ports {
			for _, d := range pods {
				if !podHasPort(d, p.TargetPort, p.Port) {
					add("%s: target port %s is not a port of Deployment %s", id, p.TargetPort.String(), d.Name)
				}
			}
		}
	}

	for _, h := range all.hpas {
		id := "HorizontalPodAutoscaler " + h.Name
		target := all.deployments[h.Spec.ScaleTargetRef.Name]
		if h.Spec.ScaleTargetRef.Kind != "Deployment" || target == nil {
			add("%s: scales %s %s, which is not a Deployment here", id, h.Spec.ScaleTargetRef.Kind, h.Spec.ScaleTargetRef.Name)
		}
		if h.Spec.MinReplicas != nil && *h.Spec.MinReplicas > h.Spec.MaxReplicas {
			add("%s: minReplicas is above maxReplicas", id)
		}
		if len(h.Spec.Metrics) == 0 {
			add("%s: has no metric", id)
		}
		for _, m := range h.Spec.Metrics {
			// A utilization target is a share of the containers' requests: without them it never scales.
			if m.Type == autoscalingv2.ResourceMetricSourceType && m.Resource != nil && target != nil {
				for _, c := range target.Spec.Template.Spec.Containers {
					if _, ok := c.Resources.Requests[m.Resource.Name]; !ok {
						add("%s: scales on %s but container %s has no %s request", id, m.Resource.Name, c.Name, m.Resource.Name)
					}
				}
			}
			if m.Type == autoscalingv2.ExternalMetricSourceType && (m.External == nil || m.External.Metric.Name == "") {
				add("%s: external metric without a name", id)
			}
		}
	}

	for _, p := range all.pdbs {
		id := "PodDisruptionBudget " + p.Name
		selector, err := metav1.LabelSelectorAsSelector(p.Spec.Selector)
		if err != nil || p.Spec.Selector == nil || selector.Empty() || len(deploymentsSelectedBy(all, selector)) == 0 {
			add("%s: selects no Deployment's pods", id)
		}
		if (p.Spec.MinAvailable == nil) == (p.Spec.MaxUnavailable == nil) {
			add("%s: set exactly one of minAvailable and maxUnavailable", id)
		}
	}

	for _, ing := range all.ingresses {
		id := "Ingress " + ing.Name
		for _, rule := range ing.Spec.Rules {
			if rule.HTTP == nil {
				continue
			}
			for _, path := range rule.HTTP.Paths {
				backend := path.Backend.Service
				if backend == nil {
					add("%s: path %s has no Service backend", id, path.Path)
					continue
				}
				svc := all.services[backend.Name]
				if svc == nil {
					add("%s: backend Service %s does not exist", id, backend.Name)
					continue
				}
				if !serviceHasPort(svc, backend.Port) {
					add("%s: backend Service %s has no port %s%d", id, backend.Name, backend.Port.Name, backend.Port.Number)
				}
			}
		}
	}
	return problems
}

func optional(flag *bool) bool { return flag != nil && *flag }

func deploymentsSelectedBy(all *rendered, selector labels.Selector) []*appsv1.Deployment {
	selected := []*appsv1.Deployment{}
	for _, d := range all.deployments {
		if !selector.Empty() && selector.Matches(labels.Set(d.Spec.Template.Labels)) {
			selected = append(selected, d)
		}
	}
	return selected
}

func containerHasPort(c corev1.Container, port intstr.IntOrString) bool {
	for _, p := range c.Ports {
		if (port.Type == intstr.String && p.Name == port.StrVal) || (port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
			return true
		}
	}
	return false
}

func podHasPort(d *appsv1.Deployment, target intstr.IntOrString, servicePort int32) bool {
	if target.Type == intstr.Int && target.IntVal == 0 {
		target = intstr.FromInt32(servicePort) // no targetPort means the same number as port
	}
	for _, c := range d.Spec.Template.Spec.Containers {
		if containerHasPort(c, target) {
			return true
		}
	}
	return false
}

func serviceHasPort(s *corev1.Service, port networkingv1.ServiceBackendPort) bool {
	for _, p := range s.Spec.Ports {
		if (port.Name != "" && p.Name == port.Name) || (port.Name == "" && p.Port == port.Number) {
			return true
		}
	}
	return false
}
