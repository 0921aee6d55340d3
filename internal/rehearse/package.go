package rehearse

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// checkPackages downloads each Lambda function's code object, as the CLI
// published it, and checks that it holds an executable bootstrap binary
// for the function's architecture: never the Go source.
func (c *clients) checkPackages(ctx context.Context, d *deployed) error {
	for _, id := range d.ofType("AWS::Lambda::Function") {
		props := d.template["Resources"].(map[string]any)[id].(map[string]any)["Properties"].(map[string]any)
		if props["Runtime"] != "provided.al2023" {
			continue
		}
		code, _ := props["Code"].(map[string]any)
		// A literal when the stack has an account, else a Fn::Sub.
		bucket, _ := code["S3Bucket"].(string)
		if sub, ok := code["S3Bucket"].(map[string]any); ok {
			bucket, _ = sub["Fn::Sub"].(string)
		}
		bucket = strings.NewReplacer("${AWS::AccountId}", Account, "${AWS::Region}", Region).Replace(bucket)
		key, _ := code["S3Key"].(string)
		out, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			return fmt.Errorf("%s: s3://%s/%s: %w", id, bucket, key, err)
		}
		body, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil {
			return err
		}
		archs, _ := props["Architectures"].([]any)
		if err := holdsBootstrap(body, fmt.Sprint(archs...)); err != nil {
			return fmt.Errorf("%s: s3://%s/%s: %w", id, bucket, key, err)
		}
	}
	return nil
}

// machines are the ELF machines of Lambda's architectures.
var machines = map[string]elf.Machine{"arm64": elf.EM_AARCH64, "x86_64": elf.EM_X86_64}

// holdsBootstrap checks that the zip holds an executable file bootstrap,
// an ELF binary for arch.
func holdsBootstrap(zipped []byte, arch string) error {
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		return fmt.Errorf("not a zip: %w", err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name != "bootstrap" {
			continue
		}
		if f.Mode()&0o111 == 0 {
			return fmt.Errorf("bootstrap is not executable (%v)", f.Mode())
		}
		r, err := f.Open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return err
		}
		bin, err := elf.NewFile(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("bootstrap is not an ELF binary: %w", err)
		}
		if want := machines[arch]; bin.Machine != want {
			return fmt.Errorf("bootstrap is built for %v, the function runs on %s", bin.Machine, arch)
		}
		return nil
	}
	return fmt.Errorf("no bootstrap in the package, which holds %v", names)
}
