// Package schemas holds the data contracts of optout: the vocabulary of
// SPEC §2, the columns each input must have (with the checks that name the
// file and column at fault), and the columns of every output table.
package schemas

import "slices"

// SaleCategories are the sale/sharing categories; "all" stands for these four.
var SaleCategories = []string{"advertising", "analytics", "enrichment", "marketing_partners"}

// ChannelCategories come from XDM channel preferences.
var ChannelCategories = []string{"channel:apns", "channel:direct-mail", "channel:email", "channel:fax", "channel:phone", "channel:sms"}

// AllCategory is the shorthand for every sale category.
const AllCategory = "all"

// IdentifierKinds are the kinds of key (SPEC §2), in output order.
var IdentifierKinds = []string{"email", "phone", "customer_id", "cookie_id", "device_id", "email_sha256", "phone_sha256"}

// Statuses a request may have; a null status means pending.
var Statuses = []string{"pending", "verified", "processed", "failed", "rejected"}

// Export settings.
var (
	Destinations  = []string{"google_ads", "meta", "linkedin", "generic"}
	ExportModes   = []string{"exclude_opted_out", "require_opt_in"}
	ExportFormats = []string{"parquet", "csv"}
	SourceFormats = []string{"canonical", "xdm_privacy", "campaign_profile", "segment_ids"}
)

// IsCategory reports whether c is a category a request or config may name.
func IsCategory(c string) bool {
	return c == AllCategory || slices.Contains(SaleCategories, c) || slices.Contains(ChannelCategories, c)
}

// IsSaleCategory reports whether c is one of the four sale categories.
func IsSaleCategory(c string) bool { return slices.Contains(SaleCategories, c) }

// ChannelCategory returns the category of an export channel ("email" → "channel:email").
func ChannelCategory(channel string) string { return "channel:" + channel }
