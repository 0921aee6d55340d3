package skippabletest

import (
	"strings"

	jsonatago "github.com/xiatechs/jsonata-go"
	"github.com/xiatechs/jsonata-go/jtypes"
)

// jsonata-go's $encodeUrlComponent is Go's url.QueryEscape: a space
// becomes "+" and "!", "'", "(", ")", "*" are escaped, where JSONata's own
// (JavaScript's encodeURIComponent) gives "%20" and keeps them. The
// validation sorts unknown keys by it and shows it in the cause, so the
// kit uses the reference's.
var extensions = map[string]jsonatago.Extension{
	"encodeUrlComponent": {
		Func:             EncodeURIComponent,
		UndefinedHandler: jtypes.ArgUndefined(0),
	},
}

// EncodeURIComponent percent-encodes s as JavaScript's
// encodeURIComponent does, which JSONata's $encodeUrlComponent is: every
// UTF-8 byte except letters, digits and - _ . ! ~ * ' ( ).
func EncodeURIComponent(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
