/** Stylesheets are bundled by Vite; importing a plain one has only side effects. */
declare module '*.css';

/** A CSS module: its class names, made unique by Vite. */
declare module '*.module.css' {
  const classes: Readonly<Record<string, string>>;
  export default classes;
}
