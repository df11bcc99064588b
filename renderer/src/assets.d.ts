/** A CSS module: its class names, made unique by Vite. (Before '*.css', so it is the pattern that matches.) */
declare module '*.module.css' {
  const classes: Readonly<Record<string, string>>;
  export default classes;
}

/** Stylesheets are bundled by Vite; importing a plain one has only side effects. */
declare module '*.css';
