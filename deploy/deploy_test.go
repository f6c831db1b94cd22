// Package deploy holds the example deployment; its test checks the compose
// file and the load balancer's configuration agree with each other and with
// what the server needs (no compose tool is needed to run it).
package deploy

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

type service struct {
	Build       string            `yaml:"build"`
	Image       string            `yaml:"image"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
}

func loadCompose(t *testing.T) map[string]service {
	t.Helper()
	data, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Services map[string]service `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	return file.Services
}

// replicas are the services running the server, by name.
func replicas(services map[string]service) []string {
	var names []string
	for name, s := range services {
		if s.Build == ".." {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

func TestComposeRunsThreeReplicasSharingOneRedis(t *testing.T) {
	services := loadCompose(t)
	names := replicas(services)
	if len(names) != 3 {
		t.Fatalf("replicas %v, want 3", names)
	}
	if _, ok := services["redis"]; !ok {
		t.Fatal("no redis service")
	}
	for _, name := range names {
		s := services[name]
		env := s.Environment
		if env["REDIS_URL"] != "redis://redis:6379/0" {
			t.Errorf("%s: REDIS_URL = %q, want the shared redis service", name, env["REDIS_URL"])
		}
		if !strings.HasPrefix(env["MCP_AUTH_TOKEN"], "${MCP_AUTH_TOKEN:?") {
			t.Errorf("%s: MCP_AUTH_TOKEN = %q, want it required (${MCP_AUTH_TOKEN:?...})", name, env["MCP_AUTH_TOKEN"])
		}
		if cmd := strings.Join(s.Command, " "); cmd != "--transport http --addr 0.0.0.0:8080" {
			t.Errorf("%s: command %q", name, cmd)
		}
		if len(s.Ports) > 0 {
			t.Errorf("%s publishes ports %v: only the load balancer should", name, s.Ports)
		}
	}
}

func TestTheLoadBalancerSpreadsOverEveryReplica(t *testing.T) {
	services := loadCompose(t)
	conf, err := os.ReadFile("nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	var upstreams []string
	for _, m := range regexp.MustCompile(`(?m)^\s*server\s+([\w-]+):8080;`).FindAllStringSubmatch(string(conf), -1) {
		upstreams = append(upstreams, m[1])
	}
	slices.Sort(upstreams)
	if want := replicas(services); !slices.Equal(upstreams, want) {
		t.Errorf("nginx upstreams %v, want the replicas %v", upstreams, want)
	}
	for _, directive := range []string{"proxy_buffering off;", "proxy_http_version 1.1;", "listen 8080;"} {
		if !strings.Contains(string(conf), directive) {
			t.Errorf("nginx.conf lacks %q (progress streams need it)", directive)
		}
	}
	if hash := regexp.MustCompile(`\b(ip_hash|hash|sticky)\b`); hash.Match(conf) {
		t.Error("nginx.conf pins clients to replicas: the point is that any replica serves any request")
	}
	if lb := services["lb"]; !slices.Contains(lb.Ports, "8080:8080") {
		t.Errorf("lb ports %v", lb.Ports)
	}
}
