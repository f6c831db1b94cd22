package e2e

// There is no container engine in the test run, so these tests check the
// Dockerfile without one: its structure, and the binary its exact build
// command produces.

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const (
	builderImage = "golang:1.26"
	runtimeImage = "gcr.io/distroless/static-debian12:nonroot"
	serverName   = "io.github.bigcommerce-mcp/bigcommerce-mcp"
	binaryInImg  = "/bigcommerce-mcp"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	keyword string // upper case: FROM, RUN, ...
	args    string
	line    int
}

// stage is a FROM and the instructions after it.
type stage struct {
	image, name  string
	instructions []instruction
}

func (s stage) all(keyword string) []instruction {
	var out []instruction
	for _, in := range s.instructions {
		if in.keyword == keyword {
			out = append(out, in)
		}
	}
	return out
}

// parseDockerfile splits a Dockerfile into stages. It knows what this
// project's Dockerfile uses: comments, blank lines, backslash continuations.
func parseDockerfile(t *testing.T, path string) []stage {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var stages []stage
	var pending strings.Builder
	start := 0
	for i, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if pending.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if pending.Len() == 0 {
			start = i + 1
		}
		if cont, ok := strings.CutSuffix(trimmed, `\`); ok {
			pending.WriteString(cont + " ")
			continue
		}
		pending.WriteString(trimmed)
		keyword, args, _ := strings.Cut(pending.String(), " ")
		pending.Reset()
		in := instruction{keyword: strings.ToUpper(keyword), args: strings.TrimSpace(args), line: start}
		if in.keyword == "FROM" {
			fields := strings.Fields(in.args)
			s := stage{image: fields[0]}
			if len(fields) == 3 && strings.EqualFold(fields[1], "AS") {
				s.name = fields[2]
			}
			stages = append(stages, s)
			continue
		}
		if len(stages) == 0 {
			if in.keyword == "ARG" {
				continue // global build arguments may come before the first FROM
			}
			t.Fatalf("%s:%d: %s before the first FROM", path, in.line, in.keyword)
		}
		stages[len(stages)-1].instructions = append(stages[len(stages)-1].instructions, in)
	}
	if pending.Len() > 0 {
		t.Fatalf("%s ends in a line continuation", path)
	}
	return stages
}

// runFlags matches the options of a RUN instruction (--mount=..., --network=...).
var runFlags = regexp.MustCompile(`^(--\S+\s+)*`)

// buildCommand is the build stage's RUN that runs go build, without RUN's own options.
func buildCommand(t *testing.T, build stage) string {
	t.Helper()
	var found []string
	for _, run := range build.all("RUN") {
		if strings.Contains(run.args, "go build") {
			found = append(found, runFlags.ReplaceAllString(run.args, ""))
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one RUN with go build in the build stage, have %q", found)
	}
	return found[0]
}

func TestDockerfileStructure(t *testing.T) {
	stages := parseDockerfile(t, filepath.Join("..", "Dockerfile"))
	if len(stages) != 2 {
		t.Fatalf("want 2 stages (build, runtime), have %d", len(stages))
	}
	build, runtime := stages[0], stages[1]

	if build.image != builderImage || build.name == "" {
		t.Errorf("build stage: FROM %s AS %q; want FROM %s AS <name>", build.image, build.name, builderImage)
	}
	if cmd := buildCommand(t, build); !strings.HasPrefix(cmd, "CGO_ENABLED=0 go build -trimpath ") ||
		!strings.Contains(cmd, `-ldflags "-s -w -X main.version=${VERSION}"`) {
		t.Errorf("build command %q: want CGO_ENABLED=0 go build -trimpath -ldflags \"-s -w -X main.version=${VERSION}\"", cmd)
	}
	if !slices.ContainsFunc(build.all("ARG"), func(in instruction) bool { return strings.HasPrefix(in.args, "VERSION") }) {
		t.Error("build stage: no ARG VERSION for the version stamp")
	}

	if runtime.image != runtimeImage {
		t.Errorf("runtime stage: FROM %s; want %s (static, CA certificates, non-root)", runtime.image, runtimeImage)
	}
	users := runtime.all("USER")
	if len(users) == 0 {
		t.Error("runtime stage: no USER; name the non-root user explicitly")
	}
	for _, u := range users {
		if name, _, _ := strings.Cut(u.args, ":"); name == "root" || name == "0" {
			t.Errorf("line %d: USER %s runs as root", u.line, u.args)
		}
	}
	wantLabel := `io.modelcontextprotocol.server.name="` + serverName + `"`
	if !slices.ContainsFunc(runtime.all("LABEL"), func(in instruction) bool { return strings.Contains(in.args, wantLabel) }) {
		t.Errorf("runtime stage: no LABEL %s", wantLabel)
	}

	copies := runtime.all("COPY")
	if len(copies) != 1 || copies[0].args != "--from="+build.name+" /out/bigcommerce-mcp "+binaryInImg {
		t.Errorf("runtime stage copies %v; want only the binary: COPY --from=%s /out/bigcommerce-mcp %s", copies, build.name, binaryInImg)
	}
	entrypoints := runtime.all("ENTRYPOINT")
	if len(entrypoints) != 1 {
		t.Fatalf("runtime stage: want one ENTRYPOINT, have %d", len(entrypoints))
	}
	var entrypoint []string
	if err := json.Unmarshal([]byte(entrypoints[0].args), &entrypoint); err != nil {
		t.Fatalf("ENTRYPOINT %s: want the exec form, a JSON array, so that signals reach the server: %v", entrypoints[0].args, err)
	}
	if !slices.Equal(entrypoint, []string{binaryInImg}) {
		t.Errorf("ENTRYPOINT %q; want [%q], which serves stdio by default", entrypoint, binaryInImg)
	}
	if cmds := runtime.all("CMD"); len(cmds) > 0 {
		t.Errorf("runtime stage: CMD %s; the default must stay stdio, with flags given at docker run", cmds[0].args)
	}
}

func TestDockerignore(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for _, want := range []string{".git", "e2e/node_modules"} {
		if !slices.Contains(lines, want) {
			t.Errorf(".dockerignore does not exclude %s from the build context", want)
		}
	}
}

// TestDockerfileBuild runs the Dockerfile's exact build command, as the
// container's shell would, with its output directory moved into a temporary
// one, and checks the binary is static, stripped, trimmed and stamped.
func TestDockerfileBuild(t *testing.T) {
	t.Parallel()
	stages := parseDockerfile(t, filepath.Join("..", "Dockerfile"))
	cmd := buildCommand(t, stages[0])
	out := t.TempDir()
	if strings.Count(cmd, "/out/") != 1 {
		t.Fatalf("build command %q: want /out/ exactly once, as the output directory", cmd)
	}
	cmd = strings.Replace(cmd, "/out/", out+"/", 1)

	const version = "v9.8.7-dockerfile-test"
	build := exec.Command("/bin/sh", "-c", cmd)
	build.Dir = ".." // the build stage's WORKDIR holds the whole module, as here
	build.Env = append(os.Environ(), "VERSION="+version)
	if output, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, output)
	}
	bin := filepath.Join(out, "bigcommerce-mcp")

	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary has a %s program header: it is not static, and would not run on distroless/static", p.Type)
		}
	}
	for _, name := range []string{".dynamic", ".interp", ".symtab", ".debug_info"} {
		if f.Section(name) != nil {
			t.Errorf("the binary has a %s section; want static (CGO_ENABLED=0) and stripped (-s -w)", name)
		}
	}

	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(root+"/")) {
		t.Errorf("the binary contains the build directory %s: -trimpath was not applied", root)
	}

	got, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", bin, err)
	}
	if want := "bigcommerce-mcp " + version + "\n"; string(got) != want {
		t.Errorf("--version printed %q; want %q", got, want)
	}
}
