import { Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { CairnConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { CairnError } from '../common/errors/cairn-error';
import { AuthService } from './auth.service';
import { isOperator } from './operators';
import {
  cookieValue,
  OPERATOR_COOKIE,
  OPERATOR_COOKIE_PATHS,
  OPERATOR_SESSION_SECONDS,
  signOperatorSession,
  verifyOperatorSession,
} from './operator-session';
import {
  type AuthenticatedRequest,
  CurrentPrincipal,
  type Principal,
  Public,
  WithoutWorkspace,
} from './principal';

const NOT_AN_OPERATOR =
  'only operators (CAIRN_OPERATOR_USER_IDS) may open the Temporal UI and Jaeger';

export class OperatorStatusDto {
  @ApiProperty({
    description: 'Whether the caller is an operator (CAIRN_OPERATOR_USER_IDS, own token)',
  })
  operator!: boolean;
}

/**
 * The Temporal Web UI shows every workspace's workflows and Jaeger every workspace's traces, so
 * only operators reach them: Caddy asks GET /operator/authorize before proxying each /temporal/
 * and /jaeger/ request (forward_auth). A browser cannot add a Bearer header to the UIs' own
 * requests, so an operator first opens a session with their token (POST /operator/session),
 * which sets a short-lived signed cookie for /temporal and /jaeger.
 */
@ApiTags('operator')
@Controller('operator')
export class OperatorController {
  private readonly operators: Set<string>;
  private readonly secret: string;

  constructor(
    @InjectConfig() config: CairnConfig,
    private readonly auth: AuthService,
  ) {
    this.operators = new Set(config.CAIRN_OPERATOR_USER_IDS);
    this.secret = config.CAIRN_OPERATOR_SESSION_SECRET;
  }

  /** For the console: whether to show the operators' views (alerts, traces). */
  @Get('me')
  @WithoutWorkspace()
  @ApiOperation({ summary: 'Whether the caller is an operator' })
  @ApiOkResponse({ type: OperatorStatusDto })
  status(@CurrentPrincipal() principal: Principal): OperatorStatusDto {
    return { operator: isOperator(principal, this.operators) };
  }

  @Post('session')
  @WithoutWorkspace()
  @HttpCode(204)
  @ApiOperation({
    summary:
      "Open an operator's session for the Temporal UI and Jaeger: a signed HttpOnly cookie for /temporal and /jaeger",
  })
  openSession(
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): void {
    if (!isOperator(principal, this.operators)) throw new CairnError('forbidden', NOT_AN_OPERATOR);
    const session = signOperatorSession(principal.userId, this.secret);
    for (const path of OPERATOR_COOKIE_PATHS) {
      response.cookie(OPERATOR_COOKIE, session.value, {
        httpOnly: true,
        secure: true,
        sameSite: 'strict',
        path,
        maxAge: OPERATOR_SESSION_SECONDS * 1000,
        encode: (value) => value,
      });
    }
  }

  @Delete('session')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: "Close the operator's session (clears the cookies)" })
  closeSession(@Res({ passthrough: true }) response: Response): void {
    for (const path of OPERATOR_COOKIE_PATHS) {
      response.clearCookie(OPERATOR_COOKIE, {
        httpOnly: true,
        secure: true,
        sameSite: 'strict',
        path,
      });
    }
  }

  /**
   * 204 for an operator (session cookie, or an operator's own access token as Bearer), 401
   * without valid credentials, 403 for anyone else. Operators are read from the configuration on
   * every call, so removing an id ends that operator's sessions at the next request.
   */
  @Get('authorize')
  @Public()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Whether the caller is an operator (Caddy forward_auth for /temporal and /jaeger)',
  })
  async authorize(
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    response.setHeader('Cache-Control', 'no-store');
    const session = cookieValue(request.headers.cookie, OPERATOR_COOKIE);
    let userId = session ? verifyOperatorSession(session, this.secret) : null;
    if (!userId && request.headers.authorization) {
      const caller = await this.auth.authenticate(request.headers).catch(() => null);
      userId = caller?.via === 'token' ? caller.userId : null;
      if (caller && !userId) throw new CairnError('forbidden', NOT_AN_OPERATOR);
    }
    if (!userId) {
      response.setHeader('WWW-Authenticate', 'Bearer');
      throw new CairnError('unauthenticated', 'missing or invalid credentials');
    }
    if (!this.operators.has(userId)) throw new CairnError('forbidden', NOT_AN_OPERATOR);
  }
}
