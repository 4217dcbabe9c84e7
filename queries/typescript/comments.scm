; Every comment, line or block, JSX ones included:
;   // dbaudit-ignore n-plus-one: reason      {/* dbaudit-ignore n-plus-one: reason */}
(comment) @comment
