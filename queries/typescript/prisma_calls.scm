; A model operation on something that may be a Prisma client.
; Python decides whether the receiver is a client and the operation real.
;   prisma.user.findMany({ where: { id } })
;   ctx.db.post.create(...)      this.prisma.user.update(...)
;   await prisma.user.findMany<T>(...)   (the grammar nests the await inside the callee)
(call_expression
  function: [
    (member_expression
      object: (member_expression
        object: (_) @call.receiver
        property: (property_identifier) @call.model)
      property: (property_identifier) @call.operation)
    (await_expression
      (member_expression
        object: (member_expression
          object: (_) @call.receiver
          property: (property_identifier) @call.model)
        property: (property_identifier) @call.operation))
  ]
  arguments: (arguments) @call.args) @call

; A model delegate behind a cast, parentheses or a non-null assertion (the first
; pattern needs a plain member there); Python unwraps it to receiver and model.
;   (prisma.securityLog as any).create(...)   prisma.user!.update(...)
(call_expression
  function: [
    (member_expression
      object: [(parenthesized_expression) (non_null_expression)] @wrapped.delegate
      property: (property_identifier) @wrapped.operation)
    (await_expression
      (member_expression
        object: [(parenthesized_expression) (non_null_expression)] @wrapped.delegate
        property: (property_identifier) @wrapped.operation))
  ]
  arguments: (arguments) @wrapped.args) @wrapped

; A client-level `$` method: transactions, raw queries, extensions.
;   prisma.$transaction([...])   tx.$executeRawUnsafe(sql)
;   prisma.$queryRaw`SELECT 1`   (tagged template: arguments is a template_string)
;   await prisma.$queryRawUnsafe<T>(sql)
(call_expression
  function: [
    (member_expression
      object: (_) @client_call.receiver
      property: (property_identifier) @client_call.method)
    (await_expression
      (member_expression
        object: (_) @client_call.receiver
        property: (property_identifier) @client_call.method))
  ]
  arguments: (_) @client_call.args
  (#match? @client_call.method "^[$]")) @client_call

; A tagged template with type arguments, which the grammar reads as a
; non-null expression with a missing `!`.
;   prisma.$queryRaw<Row[]>`SELECT * FROM "User" WHERE id = ${id}`
(call_expression
  function: (non_null_expression
    (instantiation_expression
      [
        (member_expression
          object: (_) @client_call.receiver
          property: (property_identifier) @client_call.method)
        (await_expression
          (member_expression
            object: (_) @client_call.receiver
            property: (property_identifier) @client_call.method))
      ]))
  arguments: (template_string) @client_call.args
  (#match? @client_call.method "^[$]")) @client_call
