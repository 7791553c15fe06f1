/**
 * Where a Kubernetes API server is and how to talk to it: what the adapter's HTTP client needs, read
 * from a kubeconfig (kubeconfig.ts) or built for EKS (credentials.ts).
 */
export interface ClusterConnection {
  /** The API server's base URL, https://… (or http:// for the local one). */
  server: string;
  /** PEM certificates to trust instead of the system's; undefined trusts the system's CAs. */
  ca?: string | Buffer;
  /** Skip verifying the server's certificate; only when the kubeconfig says insecure-skip-tls-verify. */
  insecureSkipTlsVerify: boolean;
  /** The name to check the server's certificate against when it is not the server URL's host. */
  tlsServerName?: string;
  /** A client certificate and its key, PEM. */
  clientCertificate?: { cert: string | Buffer; key: string | Buffer };
  /** The bearer token for a request, read each time (a token file or an EKS token may change). */
  token?: () => Promise<string>;
}
