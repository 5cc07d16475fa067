import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { CairnConfig } from '../config/config';

export interface VerifiedToken {
  userId: string;
  email?: string;
}

/** Why a token was refused: logged for operators, never sent to the caller. */
export class TokenRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TokenRejected';
  }
}

/**
 * Verifies Supabase Auth access tokens: signature, `exp`, `nbf`, `aud` and `iss`. With a JWKS URL
 * only asymmetric algorithms are accepted (RS256, ES256), otherwise only HS256 with the shared
 * secret: pinning the algorithm family defeats `alg: none` and the HS256-with-a-public-key trick.
 */
export class JwtVerifier {
  private readonly secret?: Uint8Array;
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;
  private readonly algorithms: string[];
  private readonly issuer: string;
  private readonly audience: string;

  constructor(
    config: Pick<
      CairnConfig,
      'CAIRN_AUTH_JWT_SECRET' | 'CAIRN_AUTH_JWKS_URL' | 'CAIRN_AUTH_ISSUER' | 'CAIRN_AUTH_AUDIENCE'
    >,
  ) {
    this.issuer = config.CAIRN_AUTH_ISSUER;
    this.audience = config.CAIRN_AUTH_AUDIENCE;
    if (config.CAIRN_AUTH_JWKS_URL) {
      this.jwks = createRemoteJWKSet(new URL(config.CAIRN_AUTH_JWKS_URL), {
        cooldownDuration: 30_000,
        cacheMaxAge: 10 * 60_000,
      });
      this.algorithms = ['RS256', 'ES256'];
    } else {
      this.secret = new TextEncoder().encode(config.CAIRN_AUTH_JWT_SECRET);
      this.algorithms = ['HS256'];
    }
  }

  async verify(token: string): Promise<VerifiedToken> {
    let payload: JWTPayload;
    try {
      const options = {
        algorithms: this.algorithms,
        issuer: this.issuer,
        audience: this.audience,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: 5,
      };
      ({ payload } = this.jwks
        ? await jwtVerify(token, this.jwks, options)
        : await jwtVerify(token, this.secret!, options));
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) throw new TokenRejected(error.code);
      throw new TokenRejected('malformed');
    }
    const userId = payload.sub ?? '';
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(userId)) {
      throw new TokenRejected('subject is not a user id');
    }
    const email = typeof payload.email === 'string' && payload.email ? payload.email : undefined;
    return { userId: userId.toLowerCase(), email };
  }
}
