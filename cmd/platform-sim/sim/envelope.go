package sim

import (
	"encoding/json"

	"tradein/sync/api"
)

// encodeEnvelope returns the JSON of env, byte for byte what
// json.Marshal(env) returns, provided env.Data is nil or the output of
// json.Marshal (compact, valid, HTML-escaped), as it is for every envelope
// the platform sends.
//
// json.Marshal would validate and compact env.Data a second time: for a
// 5,000-product page that was a quarter of the platform's CPU time in a
// full library sync. Here the data is copied as it is.
func encodeEnvelope(env api.Envelope) []byte {
	code, _ := json.Marshal(env.Code) // strings always encode
	msg, _ := json.Marshal(env.Message)
	b := make([]byte, 0, len(`{"code":,"message":,"data":}`)+len(code)+len(msg)+len(env.Data))
	b = append(b, `{"code":`...)
	b = append(b, code...)
	b = append(b, `,"message":`...)
	b = append(b, msg...)
	if len(env.Data) > 0 {
		b = append(b, `,"data":`...)
		b = append(b, env.Data...)
	}
	return append(b, '}')
}
