// compose-check loads a Compose file with compose-go, the loader `docker compose` itself
// uses: schema validation, `${VAR:-default}` interpolation, YAML merge keys, and the
// checks of depends_on and friends. No Docker engine is needed. On success it prints the
// normalized project as JSON (what Compose would run); on error, the loader's message and
// exit status 1. test/compose runs it on docker-compose.yml.
//
//	go run ./scripts/compose-check docker-compose.yml [NAME=VALUE ...]
//
// NAME=VALUE arguments are the only variables it interpolates, as if set in the shell
// (e.g. IBMB_ENV_FILE=/path/to/production.env).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check FILE [NAME=VALUE ...]")
		os.Exit(2)
	}
	// Only the file's own defaults and the variables given: no .env and no shell variables.
	opts, err := cli.NewProjectOptions(
		[]string{os.Args[1]},
		cli.WithName("compose-check"),
		cli.WithEnv(os.Args[2:]),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := project.MarshalJSON()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(out))
}
