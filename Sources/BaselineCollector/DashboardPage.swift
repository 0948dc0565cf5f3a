// The dashboard's page frame: escaping, the inline CSS (fits 1280 px, usable at 390 px: the page body never scrolls
// sideways, wide tables scroll inside their own container), the period picker, and one small inline script that makes
// tables sortable (click a header) and filterable (a search box above each table). Nothing is fetched from elsewhere.
// A link can open a table sorted or filtered (#sort=TABLE:COLUMN[:desc], #filter=TABLE:TEXT).
// The script also writes data-overflow="true|false" and data-scroll-width on <body> (and data-scrolls on each table's
// box: does it scroll sideways?) whenever the page lays out, so a
// test (or a curious user) can tell whether the page overflows the viewport sideways; with #layoutcheck it also paints
// a 24 px square in the top-left corner, green when nothing overflows and red when something does, which a screenshot
// shows (headless Chromium lays out --dump-dom at 500 px at least, but screenshots at the width asked for).
import BaselineFleet
import BaselineOutputs
import Foundation

extension Dashboard {
    static func esc(_ s: String) -> String { Markup.escape(s) }

    static func link(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s }
    static func unescape(_ s: String) -> String { s.removingPercentEncoding ?? s }
    static func pct(_ v: Double) -> String { String(format: "%.0f%%", v * 100) }

    static let style = """
        *{box-sizing:border-box}
        body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;padding:20px 24px;max-width:1280px;color:#1d2330;background:#f6f7f9;overflow-wrap:anywhere}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
        .scroll{overflow-x:auto;max-width:100%;background:#fff;box-shadow:0 1px 2px #0002}
        table{border-collapse:collapse;background:#fff;width:100%}
        th,td{padding:5px 9px;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top;overflow-wrap:normal}
        th{background:#eef1f5;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
        th[data-sort]{cursor:pointer;user-select:none}th[data-sort]::after{content:" \\2195";color:#9aa1ad}
        th[aria-sort=ascending]::after{content:" \\25B2";color:#1d2330}th[aria-sort=descending]::after{content:" \\25BC";color:#1d2330}
        a{color:#1456b8;text-decoration:none}.muted{color:#69707d}
        .tools{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;margin:8px 0}
        .tools input[type=search]{font:inherit;padding:4px 8px;width:16em;max-width:100%;border:1px solid #c5cad3;border-radius:4px}
        form.period{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:10px 0}
        form.period select,form.period button{font:inherit;padding:3px 6px}
        .bar{display:inline-block;height:10px;background:#d94b3d;vertical-align:middle}.bar.ok{background:#2f9e5b}
        .track{display:inline-block;width:64px;height:10px;background:#e3e6ea;margin-right:6px;vertical-align:middle}
        .fail{color:#b3261e;font-weight:600}.warn{color:#9a6700;font-weight:600}.pass{color:#1e7b45}.error{color:#b3261e}
        tr.st-fail td:first-child{border-left:4px solid #b3261e}tr.st-warn td:first-child{border-left:4px solid #9a6700}
        ul.evidence{margin:4px 0;padding-left:18px}ul.evidence code{font-size:12px}
        .fix{margin:4px 0 0;padding:4px 8px;background:#eef6f0;border-left:3px solid #2f9e5b}
        .note{background:#fff;border-left:3px solid #1456b8;padding:6px 10px;margin:8px 0}
        svg{max-width:100%;height:auto}svg text{font:11px system-ui,sans-serif;fill:#1d2330}
        code{overflow-wrap:anywhere}
        @media (max-width:600px){body{padding:12px}h1{font-size:19px}.track{width:48px}
          #findings thead{display:none}#findings tr{display:block;border-bottom:1px solid #e3e6ea}
          #findings td{display:inline-block;border:0}#findings tr.st-fail{border-left:4px solid #b3261e}#findings tr.st-warn{border-left:4px solid #9a6700}
          #findings td:last-child{display:block;overflow-wrap:anywhere}}
        """

    /// Sorting: numeric when every non-empty key in the column is a number (a cell's data-v is its key, else its text);
    /// filtering: rows whose text contains every word typed. Both only reorder or hide rows the server sent.
    static let script = """
        (function(){
          function key(td){ return td ? (td.getAttribute('data-v') !== null ? td.getAttribute('data-v') : td.textContent.trim()) : ''; }
          document.querySelectorAll('table.sortable').forEach(function(table){
            var ths = table.querySelectorAll('thead th');
            ths.forEach(function(th, col){
              th.setAttribute('data-sort', '');
              th.setAttribute('aria-sort', 'none');
              th.tabIndex = 0;
              function sort(){
                var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
                var asc = th.getAttribute('aria-sort') !== 'ascending';
                var keys = rows.map(function(r){ return key(r.cells[col]); });
                var numeric = keys.every(function(k){ return k === '' || !isNaN(parseFloat(k)); });
                var order = rows.map(function(r, i){ return i; });
                order.sort(function(a, b){
                  var x = keys[a], y = keys[b], c;
                  if (numeric) { c = (parseFloat(x) || 0) - (parseFloat(y) || 0); } else { c = x.localeCompare(y); }
                  return (asc ? c : -c) || a - b;
                });
                order.forEach(function(i){ body.appendChild(rows[i]); });
                ths.forEach(function(h){ h.setAttribute('aria-sort', 'none'); });
                th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
              }
              th.sortRows = sort;
              th.addEventListener('click', sort);
              th.addEventListener('keydown', function(e){ if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); } });
            });
          });
          document.querySelectorAll('input[data-filter]').forEach(function(input){
            var table = document.getElementById(input.getAttribute('data-filter'));
            var count = document.getElementById(input.getAttribute('data-filter') + '-count');
            if (!table) { return; }
            input.addEventListener('input', function(){
              var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean), shown = 0, rows = table.tBodies[0].rows;
              for (var i = 0; i < rows.length; i++) {
                var text = rows[i].textContent.toLowerCase();
                var hit = words.every(function(w){ return text.indexOf(w) >= 0; });
                rows[i].hidden = !hit;
                if (hit) { shown++; }
              }
              if (count) { count.textContent = shown + ' of ' + rows.length + ' row(s)'; }
            });
          });
          // A link can carry a view: #sort=TABLE:COLUMN[:desc] (columns from 0) or #filter=TABLE:TEXT.
          var view = /^#(sort|filter)=([^:]+):(.*)$/.exec(decodeURIComponent(location.hash));
          var target = view && document.getElementById(view[2]);
          if (target && view[1] === 'sort') {
            var spec = view[3].split(':'), th = target.querySelectorAll('thead th')[parseInt(spec[0], 10)];
            if (th) { th.sortRows(); if (spec[1] === 'desc') { th.sortRows(); } }
          } else if (target && view[1] === 'filter') {
            var box = document.querySelector('input[data-filter="' + view[2] + '"]');
            if (box) { box.value = view[3]; box.dispatchEvent(new Event('input')); }
          }
          var select = document.querySelector('form.period select');
          if (select) { select.addEventListener('change', function(){ select.form.submit(); }); }
          function layout(){
            var root = document.documentElement, over = root.scrollWidth > root.clientWidth;
            document.body.setAttribute('data-scroll-width', String(root.scrollWidth));
            document.body.setAttribute('data-overflow', over ? 'true' : 'false');
            document.querySelectorAll('.scroll').forEach(function(box){ box.setAttribute('data-scrolls', box.scrollWidth > box.clientWidth ? 'true' : 'false'); });
            if (location.hash === '#layoutcheck') {
              var mark = document.getElementById('layoutcheck') || document.body.appendChild(document.createElement('div'));
              mark.id = 'layoutcheck';
              mark.style.cssText = 'position:fixed;left:0;top:0;width:24px;height:24px;z-index:9;background:' + (over ? '#ff0000' : '#00ff00');
            }
          }
          layout();
          window.addEventListener('load', layout);
          window.addEventListener('resize', layout);
        })();
        """

    static func page(_ title: String, _ body: String) -> String {
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + "<title>\(esc(title))</title><style>\(style)</style></head><body>\n\(body)\n<script>\(script)</script>\n</body></html>\n"
    }

    static let notFound = page("Not found", "<h1>Not found</h1><p><a href=\"/\">Fleet overview</a></p>")

    /// A sortable table in its own scrolling container, with a search box that filters its rows.
    static func table(_ id: String, _ headers: [String], _ rows: String, label: String) -> String {
        "<div class=\"tools\"><input type=\"search\" data-filter=\"\(id)\" placeholder=\"Filter \(esc(label))…\" aria-label=\"Filter \(esc(label))\">"
            + "<span class=\"muted\" id=\"\(id)-count\"></span></div>\n"
            + "<div class=\"scroll\"><table id=\"\(id)\" class=\"sortable\"><thead><tr>" + headers.map { "<th scope=\"col\">\($0)</th>" }.joined()
            + "</tr></thead><tbody>\n\(rows)</tbody></table></div>\n"
    }

    /// The period picker: "all" (the latest report of every unit) or one month; a plain GET form, so it works without
    /// the script too (the button), and the script submits it on change.
    static func periodPicker(_ periods: [String], selected: String, path: String) -> String {
        let options = [("all", "All time (latest report of every unit)")] + periods.reversed().map { ($0, $0) }
        return "<form class=\"period\" method=\"get\" action=\"\(esc(path))\"><label for=\"period\">Period</label><select id=\"period\" name=\"period\">"
            + options.map { "<option value=\"\(esc($0.0))\"\($0.0 == selected ? " selected" : "")>\(esc($0.1))</option>" }.joined()
            + "</select><button type=\"submit\">Show</button></form>\n"
    }

    /// The period a request asks for: "all" when none, nil when it names no stored period.
    static func period(_ requested: String?, _ periods: [String]) -> String? {
        guard let p = requested, !p.isEmpty, p != "all" else { return "all" }
        return periods.contains(p) ? p : nil
    }

    static func bar(_ share: Double, good: Bool = false) -> String {
        let w = Int((max(0, min(1, share)) * 100).rounded())
        return "<span class=\"track\"><span class=\"bar\(good ? " ok" : "")\" style=\"width:\(w)%\"></span></span>\(pct(share))"
    }

    /// A table cell with a bar, sorted by its value.
    static func barCell(_ share: Double, good: Bool = false) -> String { "<td data-v=\"\(String(format: "%.4f", share))\">\(bar(share, good: good))</td>" }
}
