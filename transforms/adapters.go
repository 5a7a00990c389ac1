package transforms

import (
	"github.com/optout-dev/optout/schemas"
)

// adaptData is what an adapter template (sql/adapt_*.sql) needs beyond
// the raw source: which canonical columns the vendor rows carry.
type adaptData struct {
	Carry            []string // the carried columns as select items of the raw source: `"Email" AS email`
	Columns          []string // their canonical names, to select again after reshaping
	Identity         string   // the profile's identity as text, for deterministic request ids
	ProfileTime      string   // xdm_privacy: when optInOut and globalOptout were last set
	GlobalCategories string   // xdm_privacy: what globalOptout opts out of
}

// defaultSources name a vendor format's requests when its rows carry no source.
var defaultSources = map[string]string{"xdm_privacy": "xdm", "campaign_profile": "campaign", "segment_ids": "pixel"}

// IsAdapted reports whether a request source needs an adapter step.
func (s Source) IsAdapted() bool { return s.Format != "" && s.Format != "canonical" }

// adaptedView is the temporary table an adapter step writes.
func adaptedView(s Source) string { return AdaptStepName(s.Name) }

// AdaptStepName names the step (and its table) that turns a vendor-format
// request source into canonical requests.
func AdaptStepName(source string) string { return "adapt__" + source }

// newAdaptData collects the columns of a vendor-format source.
func newAdaptData(dl Dialect, s Source) adaptData {
	var d adaptData
	var ids []string
	for _, k := range schemas.IdentifierKinds {
		if n, ok := s.Column(k); ok {
			d.Carry = append(d.Carry, dl.Ident(n)+" AS "+k)
			d.Columns = append(d.Columns, k)
			ids = append(ids, dl.Cast(dl.Ident(n), "text"))
		}
	}
	d.Identity = dl.JoinText(append(ids, "''")...)
	for _, c := range schemas.RequestExtras {
		if n, ok := s.Column(c); ok && c != "source" { // source gets a default below
			d.Carry = append(d.Carry, dl.Cast(dl.Ident(n), "text")+" AS "+c)
			d.Columns = append(d.Columns, c)
		}
	}
	d.Carry = append(d.Carry, "coalesce(nullif(trim("+dl.Cast(dl.Col(s, "source", "text"), "text")+"), ''), "+Literal(defaultSources[s.Format])+") AS source")
	d.Columns = append(d.Columns, "source")
	d.ProfileTime = dl.Null("timestamp")
	if n, ok := s.Column("_repo"); ok {
		d.ProfileTime = dl.Cast(dl.Ident(n)+".modifyDate", "timestamp")
	} else if n, ok := s.Column("timestamp"); ok {
		// A DATE here is still midnight UTC (docs/decisions.md, "A DATE
		// request time"): read as a day in the time zone, it would change
		// the ids of the requests it dates.
		d.ProfileTime = dl.Cast(dl.Ident(n), "timestamp")
	}
	d.GlobalCategories = listLiteral(append([]string{schemas.AllCategory}, schemas.ChannelCategories...))
	return d
}

// adaptedSource is the source request_rows reads after the adapter: the
// canonical columns the adapter writes.
func adaptedSource(s Source, d adaptData) Source {
	fields := []schemas.Field{
		{Name: "_file", Family: schemas.String}, {Name: "_row", Family: schemas.Integer},
		{Name: "request_id", Family: schemas.String}, {Name: "received_at", Family: schemas.Timestamp},
		{Name: "request_type", Family: schemas.String}, {Name: "categories", Family: schemas.StringList},
		{Name: "status", Family: schemas.String},
	}
	for _, c := range d.Columns {
		f := schemas.Field{Name: c, Family: schemas.String} // the adapter casts the extras to text
		if raw, ok := schemas.Find(s.Fields, c); ok && contains(schemas.IdentifierKinds, c) {
			f.Family = raw.Family // identifiers keep their type
		}
		fields = append(fields, f)
	}
	return Source{Name: s.Name, Format: s.Format, View: TempName(adaptedView(s)), Fields: fields}
}
