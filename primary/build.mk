# primary: rules to come
