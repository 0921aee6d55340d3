package rehearse

import "strings"

// The emulator's account and region: MiniStack's defaults, which the CDK
// CLI reads back from its STS.
const (
	Account = "000000000000"
	Region  = "us-east-1"
)

// Environment returns env for a process that talks to the emulator at
// endpoint and to nothing else: fake credentials, no profile or config
// file of the user's, the endpoint for every SDK (the CDK CLI, the Go SDK,
// MiniStack's own functions), and a proxy that refuses any other address,
// so a request meant for the internet fails at once instead of leaving.
func Environment(env []string, endpoint string) []string {
	drop := []string{"AWS_", "CDK_DEFAULT_", "HTTP_PROXY=", "HTTPS_PROXY=", "NO_PROXY=", "http_proxy=", "https_proxy=", "no_proxy="}
	var out []string
	for _, kv := range env {
		keep := true
		for _, p := range drop {
			if strings.HasPrefix(kv, p) {
				keep = false
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	// Port 9 (discard) on loopback: nothing listens, so the connection is
	// refused at once.
	const nowhere = "http://127.0.0.1:9"
	return append(out,
		"AWS_ACCESS_KEY_ID=rehearsal", "AWS_SECRET_ACCESS_KEY=rehearsal",
		"AWS_REGION="+Region, "AWS_DEFAULT_REGION="+Region,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_ENDPOINT_URL="+endpoint, "AWS_EC2_METADATA_DISABLED=true",
		"CDK_DISABLE_CLI_TELEMETRY=true",
		"HTTP_PROXY="+nowhere, "HTTPS_PROXY="+nowhere, "http_proxy="+nowhere, "https_proxy="+nowhere,
		"NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost")
}
