; Calls that may reach a repo function (the call graph's edges). The grammar reads
; `await f<T>(x)` as `(await f)<T>(x)`, nesting the await inside the callee: each pattern
; takes that form too.
;   loadStats(id)     await loadStats<Stats>(id)
(call_expression
  function: [
    (identifier) @callsite.callee
    (await_expression (identifier) @callsite.callee)
  ]) @callsite

;   stats.load(id)     this.load(id)     await stats.load<Stats>(id)
;   /^[a-z0-9-]+$/.test(slug) (a check the taint reads)
;   openai.chat.completions.create(…): a method reached through an instance's members
;   (kept only when the root is an instance of an imported class, call_sites.py).
(call_expression
  function: [
    (member_expression
      object: [(identifier) (this) (regex) (member_expression)] @callsite.object
      property: (property_identifier) @callsite.callee)
    (await_expression
      (member_expression
        object: [(identifier) (this) (member_expression)] @callsite.object
        property: (property_identifier) @callsite.callee))
  ]) @callsite
