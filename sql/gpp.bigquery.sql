{{ define "bigquery_udf_optout_gpp" -}}
-- optout_gpp(STRING) → STRING on BigQuery: the same decoding as the DuckDB
-- engine's Go function (transforms.DecodeGPP), line for line in JavaScript,
-- because GPP's Fibonacci-coded header does not fit GoogleSQL. Held to
-- DecodeGPP by transforms/gpp_udf_test.go (shared vectors, and 20,000
-- generated strings run through both under Node).
CREATE TEMP FUNCTION optout_gpp(s STRING) RETURNS STRING LANGUAGE js AS r"""
  if (s === null || s === undefined) return null;
  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var US_BITS = {7: [18, 20, 22], 8: [12, 14]};
  function Bad(m) { this.message = m; }
  // Go's strings.TrimSpace: unicode.IsSpace at both ends.
  s = s.replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g, "");
  function bits(t) {
    if (t === "") throw new Bad("empty section");
    var out = [];
    for (var i = 0; i < t.length; i++) {
      var v = B64.indexOf(t.charAt(i));
      if (v < 0) throw new Bad("not base64url");
      for (var k = 5; k >= 0; k--) out.push((v >> k) & 1);
    }
    return out;
  }
  function Reader(b) { this.b = b; this.pos = 0; this.err = false; }
  Reader.prototype.int = function (n) {
    var v = 0;
    for (var i = 0; i < n; i++) {
      if (this.pos >= this.b.length) { this.err = true; return 0; }
      v = v * 2 + this.b[this.pos++];
    }
    return v;
  };
  Reader.prototype.fib = function () {
    var v = 0, a = 1, b = 2, prev = 0;
    for (var i = 0; ; i++) {
      if (this.pos >= this.b.length || i > 40) { this.err = true; return 0; }
      var bit = this.b[this.pos++];
      if (bit === 1 && prev === 1) return v;
      if (bit === 1) v += a;
      var next = a + b; a = b; b = next;
      prev = bit;
    }
  };
  function decode(str) {
    var parts = str.split("~");
    var r = new Reader(bits(parts[0]));
    if (r.int(6) !== 3) throw new Bad("header type");
    r.int(6);
    var n = r.int(12), ids = [], last = 0;
    for (var i = 0; i < n && !r.err; i++) {
      if (r.int(1) === 1) {
        var start = last + r.fib();
        var end = start + r.fib();
        if (end - start > 64) throw new Bad("range too long");
        for (var id = start; id <= end; id++) ids.push(id);
        last = end;
      } else {
        last += r.fib();
        ids.push(last);
      }
    }
    if (r.err) throw new Bad("header too short");
    if (ids.length !== parts.length - 1) throw new Bad("section count");
    var result = "no_opt_out";
    for (var j = 0; j < ids.length; j++) {
      var offsets = US_BITS.hasOwnProperty(ids[j]) ? US_BITS[ids[j]] : null;
      if (offsets === null) continue;
      var segments = parts[j + 1].split(".");
      var cr = new Reader(bits(segments[0]));
      for (var o = 0; o < offsets.length; o++) {
        cr.pos = offsets[o];
        if (cr.int(2) === 1) result = "opt_out";
      }
      if (cr.err) throw new Bad("core too short");
      for (var g = 1; g < segments.length; g++) {
        var sr = new Reader(bits(segments[g]));
        if (sr.int(2) === 1 && sr.int(1) === 1) result = "opt_out";
        if (sr.err) throw new Bad("sub-segment too short");
      }
    }
    return result;
  }
  try {
    return decode(s);
  } catch (e) {
    if (e instanceof Bad) return "invalid";
    throw e;
  }
""";
{{- end }}
