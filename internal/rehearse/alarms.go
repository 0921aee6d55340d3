package rehearse

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// describeAlarm asks CloudWatch for one alarm in its Query protocol. The
// Go SDK's CloudWatch client speaks Smithy RPC v2 CBOR, whose answers from
// MiniStack 1.5.33 it cannot decode (a gap: see Gaps), while botocore's
// CBOR and the Query protocol both work; AWS serves all three.
func (c *clients) describeAlarm(ctx context.Context, name string) error {
	form := url.Values{"Action": {"DescribeAlarms"}, "Version": {"2010-08-01"}, "AlarmNames.member.1": {name}}
	body := []byte(form.Encode())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256(body)
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return err
	}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "monitoring", Region, time.Now()); err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("DescribeAlarms: HTTP %d: %.200s", resp.StatusCode, b)
	}
	var out struct {
		Names []string `xml:"DescribeAlarmsResult>MetricAlarms>member>AlarmName"`
	}
	if err := xml.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("DescribeAlarms: %w", err)
	}
	for _, n := range out.Names {
		if n == name {
			return nil
		}
	}
	return fmt.Errorf("DescribeAlarms found no alarm %s", name)
}
