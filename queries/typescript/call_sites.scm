; Calls that may reach a repo function (the call graph's edges).
;   loadStats(id)
(call_expression
  function: (identifier) @callsite.callee) @callsite

;   stats.load(id)     this.load(id)     /^[a-z0-9-]+$/.test(slug) (a check the taint reads)
(call_expression
  function: (member_expression
    object: [(identifier) (this) (regex)] @callsite.object
    property: (property_identifier) @callsite.callee)) @callsite

;   openai.chat.completions.create(…): a method reached through an instance's members
;   (kept only when the root is an instance of an imported class, call_sites.py).
(call_expression
  function: (member_expression
    object: (member_expression) @callsite.object
    property: (property_identifier) @callsite.callee)) @callsite

;   await loadStats<Stats>(id)
;   (the grammar nests the await inside the callee when the call has type arguments)
(call_expression
  function: (await_expression (identifier) @callsite.callee)) @callsite

;   await stats.load<Stats>(id)    await this.load<Stats>(id)
(call_expression
  function: (await_expression
    (member_expression
      object: [(identifier) (this)] @callsite.object
      property: (property_identifier) @callsite.callee))) @callsite

;   await openai.chat.completions.create<T>(…)
(call_expression
  function: (await_expression
    (member_expression
      object: (member_expression) @callsite.object
      property: (property_identifier) @callsite.callee))) @callsite
