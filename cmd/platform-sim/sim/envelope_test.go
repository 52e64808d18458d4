package sim

import (
	"bytes"
	"encoding/json"
	"testing"

	"tradein/agent"
	"tradein/sync/api"
)

// TestEncodeEnvelopeMatchesMarshal: the hand-assembled envelope is the
// exact bytes json.Marshal produces, for data with escapes, HTML
// characters, non-ASCII text and no data at all.
func TestEncodeEnvelopeMatchesMarshal(t *testing.T) {
	page := api.ProductPage{Version: 7, Total: 2, NextPageToken: "eyJzIjowfQ", Items: []agent.Product{
		{Barcode: "6901234567892", Name: "海尔冰箱 <BCD-500> & \"双门\"", Brand: "海尔", Model: "BCD-500\\W", Category: agent.CatFridge,
			EnergyGrade: 1, FiledPriceFen: 599900, Status: agent.ProductActive},
		{Barcode: "6901234567908", Name: "tab\tnewline\n\u2028", Status: agent.ProductDelisted},
	}}
	data, err := json.Marshal(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range []api.Envelope{
		{Code: api.CodeOK, Message: "success", Data: data},
		{Code: string(agent.CodeInvalidRequest), Message: `limit must be 1..5000 <"&">`},
		{Code: api.CodeOK, Message: "success", Data: []byte(`{}`)},
	} {
		want, err := json.Marshal(env)
		if err != nil {
			t.Fatal(err)
		}
		if got := encodeEnvelope(env); !bytes.Equal(got, want) {
			t.Errorf("encodeEnvelope:\n got %s\nwant %s", got, want)
		}
	}
}
