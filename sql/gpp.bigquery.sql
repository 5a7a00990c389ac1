{{ define "bigquery_udf_optout_gpp" -}}
-- optout_gpp(STRING) → STRING on BigQuery: the same decoding as the DuckDB
-- engine's Go function (transforms.DecodeGPP), line for line in JavaScript,
-- because GPP's Fibonacci-coded header does not fit GoogleSQL. Held to
-- DecodeGPP by transforms/gpp_udf_test.go (shared vectors, and 20,000
-- generated strings run through both under Node).
CREATE TEMP FUNCTION optout_gpp(s STRING) RETURNS STRING LANGUAGE js AS r"""
  if (s === null || s === undefined) return null;
  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var USPV1 = 6;
  // transforms.usOptOutBits and usUnsettledSections, as they are.
  var US_BITS = {7: [18, 20, 22], 8: [12, 14], 9: [12, 14], 10: [12, 14], 11: [14, 16], 12: [12, 14], 13: [12, 14],
    14: [12, 14], 15: [12, 14], 16: [12, 14], 17: [12, 14], 18: [14, 16], 19: [12, 14], 20: [12, 14], 21: [12, 14],
    22: [12, 14], 23: [12, 14]};
  var UNSETTLED = {24: true, 25: true, 26: true, 27: true};
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
    // Fail closed, as DecodeGPP: a readable opt-out counts even when
    // another part is broken; invalid only when nothing readable opts out.
    var problem = ids.length !== parts.length - 1;
    for (var j = 0; j < ids.length && j + 1 < parts.length; j++) {
      var r2 = sectionOptsOut(ids[j], parts[j + 1]);
      if (r2.out) return "opt_out";
      if (r2.bad) problem = true;
    }
    if (problem) throw new Bad("unreadable part");
    return "no_opt_out";
  }
  function sectionOptsOut(id, section) {
    if (id === USPV1) {
      var ok = section.length === 4 && section.charAt(0) === "1" && /^[YNyn-]{3}$/.test(section.substring(1));
      return {out: ok && (section.charAt(2) === "Y" || section.charAt(2) === "y"), bad: !ok};
    }
    if (UNSETTLED.hasOwnProperty(id)) return {out: false, bad: true};
    var offsets = US_BITS.hasOwnProperty(id) ? US_BITS[id] : null;
    if (offsets === null) return {out: false, bad: false};
    var segments = section.split("."), bad = false, core = null;
    try { core = bits(segments[0]); } catch (e) { if (!(e instanceof Bad)) throw e; bad = true; }
    if (core !== null) {
      for (var o = 0; o < offsets.length; o++) {
        var cr = new Reader(core);
        cr.pos = offsets[o];
        if (cr.int(2) === 1) return {out: true, bad: false};
        if (cr.err) bad = true;
      }
    }
    for (var g = 1; g < segments.length; g++) {
      var sb = null;
      try { sb = bits(segments[g]); } catch (e) { if (!(e instanceof Bad)) throw e; bad = true; continue; }
      var sr = new Reader(sb);
      if (sr.int(2) === 1 && sr.int(1) === 1) return {out: true, bad: false};
      if (sr.err) bad = true;
    }
    return {out: false, bad: bad};
  }
  try {
    return decode(s);
  } catch (e) {
    if (e instanceof Bad) return "invalid";
    throw e;
  }
""";
{{- end }}
